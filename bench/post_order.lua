-- wrk script: POST /orders with a small JSON body (the seed's curl example).
wrk.method = "POST"
wrk.body = '{"user_id": 1, "amount": 99.99}'
wrk.headers["Content-Type"] = "application/json"

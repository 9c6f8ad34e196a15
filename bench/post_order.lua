-- wrk script: POST /orders with a small JSON body (the seed's curl example), reporting as
-- wrk_json.lua does. Use through lib.sh: WRK_SCRIPT=bench/post_order.lua wrk_json URL ...
wrk.method = "POST"
wrk.body = '{"user_id": 1, "amount": 99.99}'
wrk.headers["Content-Type"] = "application/json"
dofile("bench/wrk_json.lua")

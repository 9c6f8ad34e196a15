// libpq, loaded on first use with dlopen(): a service on SQLite (the default) then never maps
// libpq and the ~20 libraries it pulls in (Kerberos, LDAP, GnuTLS, SASL...), about 3.3 MB of
// resident memory per process. The PostgreSQL code calls libpq only through `pq::api()`;
// `tracing-demo` does not link libpq, so a direct call does not link (a safety net).
#pragma once

#include <libpq-fe.h>

#include <string>

// The libpq functions the PostgreSQL repositories use.
#define TD_LIBPQ_FUNCTIONS(X)                                                                   \
  X(PQclear) X(PQntuples) X(PQcmdTuples) X(PQgetvalue) X(PQgetlength) X(PQcmdStatus)            \
  X(PQgetisnull) X(PQresultErrorField) X(PQstatus) X(PQresultErrorMessage) X(PQerrorMessage)   \
  X(PQconnectdbParams) X(PQsetNoticeProcessor) X(PQfinish) X(PQtransactionStatus) X(PQreset)    \
  X(PQexec) X(PQresultStatus) X(PQprepare) X(PQexecPrepared) X(PQconninfoParse) X(PQfreemem)    \
  X(PQconninfoFree)

namespace tdemo::storage::pq {

struct Api {
#define TD_LIBPQ_POINTER(name) decltype(&::name) name = nullptr;
  TD_LIBPQ_FUNCTIONS(TD_LIBPQ_POINTER)
#undef TD_LIBPQ_POINTER
};

// The library's functions, loaded once (thread-safe); nullptr when libpq cannot be loaded.
const Api* api() noexcept;

// Why api() is nullptr ("" when it is not): names the library and what to install.
const std::string& load_error() noexcept;

}  // namespace tdemo::storage::pq

// Outcome<T>: a domain result, or the HTTP error response to send instead.
#pragma once

#include "http/message.h"
#include "storage/result.h"

namespace tdemo::services {

template <class T>
using Outcome = storage::Result<T, http::Response>;

}  // namespace tdemo::services

//===- Error.h - Errors inside the model library ----------------*- C++ -*-===//
//
// Internal code throws Error; the C API boundary (Model.cpp) turns it into a
// q_status plus the thread-local message of q_last_error().
//
//===----------------------------------------------------------------------===//

#ifndef Q_RUNTIME_MODEL_ERROR_H
#define Q_RUNTIME_MODEL_ERROR_H

#include "q/model.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace q {
namespace model {

struct Error {
  q_status status;
  std::string message;
};

template <typename... Args>
[[noreturn]] void fail(q_status status, const Args &...args) {
  std::ostringstream stream;
  (stream << ... << args);
  throw Error{status, stream.str()};
}

/// "[2, 3, 4]", for messages.
inline std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

} // namespace model
} // namespace q

#endif // Q_RUNTIME_MODEL_ERROR_H

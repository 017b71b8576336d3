//===- InputLookup.h - Lowering of q.input_lookup ---------------*- C++ -*-===//
//
// Private to q-lower-to-onednn: the qrt_input_lookup descriptor and table
// bytes of one lookup (kept apart from LowerToOneDNN.cpp, which holds the
// walk over the graph and the emission).
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CONVERSION_QTOONEDNN_INPUTLOOKUP_H
#define QDIALECT_CONVERSION_QTOONEDNN_INPUTLOOKUP_H

#include "QDialect/IR/QDialect.h"

#include <cstdint>
#include <vector>

namespace mlir::q {

struct InputLookupParts {
  std::vector<uint8_t> desc;  ///< a qrt_input_lookup_desc
  std::vector<uint8_t> table; ///< rows x 256 entries of the dst dtype
};

/// What qrt_input_lookup_init takes for `op`; fails (with a diagnostic)
/// for a table the runtime cannot hold.
FailureOr<InputLookupParts> describeInputLookup(InputLookupOp op);

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_QTOONEDNN_INPUTLOOKUP_H

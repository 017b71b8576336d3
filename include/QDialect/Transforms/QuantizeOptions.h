//===- QuantizeOptions.h - What q-quantize quantizes ------*- C++ -*-===//
//
// The options that decide which tensors become int8 and how: activation
// dtype, smart/full mode, weight granularity, excluded nodes and op kinds,
// weight bits. One struct with enum values, shared by the q-quantize pass
// options (Passes.td), the int8 pipeline, the driver (CompileOptions) and
// the tools, and one place that parses and validates their texts, so every
// tool words a bad value the same way:
//
//   <option>=<value> is not valid; expected <choices>
//
// The llvm::cl::parser specializations at the end let MLIR pass options hold
// the enums while keeping the textual syntax (`--q-quantize="dtype=auto
// mode=full"`).
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_TRANSFORMS_QUANTIZEOPTIONS_H
#define QDIALECT_TRANSFORMS_QUANTIZEOPTIONS_H

#include "QDialect/IR/QDialect.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::q {

/// smart: support ops only between quantized convs/fcs; full: every op that
/// has an int8 form.
enum class QuantizeMode { smart, full };
/// One weight scale per output channel, or one per tensor.
enum class WeightGranularity { channel, tensor };

struct QuantizeOptions {
  /// Activations: int8, uint8, or auto (uint8 where the range is >= 0).
  QuantDType dtype = QuantDType::auto_;
  QuantizeMode mode = QuantizeMode::smart;
  WeightGranularity granularity = WeightGranularity::channel;
  /// Node names kept in fp32 (a fused op is excluded when any node it
  /// absorbed is named).
  std::vector<std::string> exclude;
  /// Op kinds kept in fp32 (quantizeOpKinds()).
  std::vector<std::string> excludeOps;
  /// Bits of the int8 weights, 2 to 8.
  int weightBits = 8;
};

/// The kinds `exclude-ops` accepts: conv, fc, pooling, flatten, reshape,
/// concat, act, add.
llvm::ArrayRef<llvm::StringLiteral> quantizeOpKinds();

/// "int8", "uint8", "auto" / "smart", "full" / "channel", "tensor".
llvm::StringRef optionValueName(QuantDType dtype);
llvm::StringRef optionValueName(QuantizeMode mode);
llvm::StringRef optionValueName(WeightGranularity granularity);

/// Parsers of the option texts. `option` is how the caller names the
/// option in the message ("dtype" in a pass, "--dtype" in a tool).
llvm::Expected<QuantDType> parseQuantDType(llvm::StringRef value,
                                           llvm::StringRef option = "dtype");
llvm::Expected<QuantizeMode> parseQuantizeMode(llvm::StringRef value,
                                               llvm::StringRef option = "mode");
llvm::Expected<WeightGranularity>
parseGranularity(llvm::StringRef value, llvm::StringRef option = "granularity");
/// The same, by the type of `out`.
llvm::Error parseOptionValue(llvm::StringRef value, llvm::StringRef option,
                             QuantDType &out);
llvm::Error parseOptionValue(llvm::StringRef value, llvm::StringRef option,
                             QuantizeMode &out);
llvm::Error parseOptionValue(llvm::StringRef value, llvm::StringRef option,
                             WeightGranularity &out);
/// Checks the weight bits (2 to 8).
llvm::Error checkWeightBits(int bits, llvm::StringRef option = "weight-bits");
/// Checks that every kind is one of quantizeOpKinds().
llvm::Error checkOpKinds(llvm::ArrayRef<std::string> kinds,
                         llvm::StringRef option = "exclude-ops");

/// checkWeightBits and checkOpKinds of `options` (the enums are valid by
/// construction), with the pass's option names.
llvm::Error checkQuantizeOptions(const QuantizeOptions &options);

/// Checks that every name in `names` is the name of a node (an op's
/// NameLoc, or one a fused op absorbed) under `root`; the error names the
/// option, the name and the closest node names ("did you mean ...").
llvm::Error checkNodeNames(Operation *root, llvm::ArrayRef<std::string> names,
                           llvm::StringRef option);

/// The message for a bad value: "<option>=<value> is not valid; expected
/// <expected>".
llvm::Error badOptionValue(llvm::StringRef option, llvm::StringRef value,
                           llvm::StringRef expected);

/// Whether a fused conv / fc's last activation makes its output never
/// negative (relu, sigmoid, clip from >= 0, ...): q-quantize then makes its
/// result uint8 under any dtype (MXNet's IsOutputUInt8).
bool producesNonNegative(Operation *op);

namespace detail {
/// llvm::cl parser of one of the enums above, for pass options: a bad
/// value prints "q-quantize: <option>=<value> is not valid; ...".
template <typename Enum>
class EnumOptionParser : public llvm::cl::basic_parser<Enum> {
public:
  using llvm::cl::basic_parser<Enum>::basic_parser;
  bool parse(llvm::cl::Option &, llvm::StringRef argName, llvm::StringRef arg,
             Enum &value) {
    if (llvm::Error err = parseOptionValue(arg, argName, value)) {
      llvm::errs() << "q-quantize: " << llvm::toString(std::move(err)) << "\n";
      return true;
    }
    return false;
  }
  llvm::StringRef getValueName() const override { return "value"; }
  void printOptionDiff(const llvm::cl::Option &option, Enum value,
                       const llvm::cl::OptionValue<Enum> &,
                       size_t width) const {
    this->printOptionName(option, width);
    llvm::outs() << "= " << optionValueName(value) << "\n";
  }
  static void print(llvm::raw_ostream &os, Enum value) {
    os << optionValueName(value);
  }
};
} // namespace detail

} // namespace mlir::q

namespace llvm::cl {
template <>
class parser<mlir::q::QuantizeMode>
    : public mlir::q::detail::EnumOptionParser<mlir::q::QuantizeMode> {
public:
  using EnumOptionParser::EnumOptionParser;
};
template <>
class parser<mlir::q::WeightGranularity>
    : public mlir::q::detail::EnumOptionParser<mlir::q::WeightGranularity> {
public:
  using EnumOptionParser::EnumOptionParser;
};
template <>
class parser<mlir::q::QuantDType>
    : public mlir::q::detail::EnumOptionParser<mlir::q::QuantDType> {
public:
  using EnumOptionParser::EnumOptionParser;
};
} // namespace llvm::cl

#endif // QDIALECT_TRANSFORMS_QUANTIZEOPTIONS_H

//===- MXNetFormat.h - MXNet symbol JSON and .params files ------*- C++ -*-===//
//
// Plain data model, readers and writers for MXNet's two model files: the
// symbol graph (`*-symbol.json`, NNVM's SaveJSON layout) and the parameter
// file (`*.params`, an NDArray list). No MLIR here: the importer and exporter
// build on top of this, and tools can inspect files without a context.
//
// Readers never abort: every problem comes back as an llvm::Error whose text
// names the file and the node (name and index), the JSON position, or the
// byte offset. See shared/reference/mxnet-int8-reference.md sections 1-2.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_TRANSLATE_MXNETFORMAT_H
#define QDIALECT_TRANSLATE_MXNETFORMAT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mxnet {

//===----------------------------------------------------------------------===//
// Symbol graph
//===----------------------------------------------------------------------===//

/// MXNet version numbers are major*10000 + minor*100 + patch.
constexpr int kLegacyMXNetVersion = 800;    ///< Assumed when a file has none.
constexpr int kWrittenMXNetVersion = 10901; ///< What writeSymbolJSON emits.

/// One output of a node: `[node, index, version]` in the file.
struct NodeEntry {
  uint32_t node = 0;
  uint32_t index = 0;
  /// Non-zero for entries that read a mutated variable (BN moving stats).
  uint32_t version = 0;

  friend bool operator==(const NodeEntry &a, const NodeEntry &b) {
    return a.node == b.node && a.index == b.index && a.version == b.version;
  }
  friend bool operator!=(const NodeEntry &a, const NodeEntry &b) {
    return !(a == b);
  }
};

struct Graph;

struct Node {
  /// Operator name, or "null" for a variable (argument or aux state).
  std::string op;
  std::string name;
  /// Attributes exactly as strings; see the parse* helpers below.
  std::map<std::string, std::string> attrs;
  std::vector<NodeEntry> inputs;
  std::vector<uint32_t> controlDeps;
  /// Nested graphs of subgraph ops (`_sg_mkldnn_conv`, ...).
  std::vector<Graph> subgraphs;

  bool isVariable() const { return op == "null"; }
  /// The attribute's value, or nullopt when absent.
  std::optional<llvm::StringRef> getAttr(llvm::StringRef key) const;
};

struct Graph {
  /// Topologically sorted: inputs always refer to earlier nodes.
  std::vector<Node> nodes;
  /// Ids of the variable nodes (arguments and aux states).
  std::vector<uint32_t> argNodes;
  /// Prefix sum of each node's total output count (nodes.size() + 1 values).
  /// Empty when the file had none (old files, and nested graphs built by
  /// hand); the writer then assumes one output per node.
  std::vector<uint32_t> nodeRowPtr;
  std::vector<NodeEntry> heads;
  /// Graph attributes other than mxnet_version, as dmlc "any" values: a
  /// two-element array `[type, value]`, e.g. `"is_np_shape": ["int", 1]`.
  std::map<std::string, llvm::json::Value> attrs;
  /// Version that wrote the file (kLegacyMXNetVersion when missing). Nested
  /// graphs inherit their parent's.
  int mxnetVersion = kWrittenMXNetVersion;

  /// Number of outputs node `id` declares in nodeRowPtr, or nullopt if the
  /// graph has no (consistent) nodeRowPtr.
  std::optional<uint32_t> numOutputs(uint32_t id) const;
};

bool operator==(const Node &a, const Node &b);
bool operator==(const Graph &a, const Graph &b);
inline bool operator!=(const Node &a, const Node &b) { return !(a == b); }
inline bool operator!=(const Graph &a, const Graph &b) { return !(a == b); }

/// Parses a symbol JSON document. Accepts every layout MXNet 0.8-1.9 wrote:
/// `attrs`, legacy `attr` and `param` (merged; `attrs` wins over `attr`,
/// which wins over `param`), ignores `backward_source_id`, takes 2- or
/// 3-element entries, and applies MXNet's format-level upgrades for files
/// older than 1.9.1 (hidden keys such as `ctx_group` become `__ctx_group__`;
/// `<arg>_lr_mult` style keys on an op move to its input variable named
/// `<op>_<arg>`; argmax/argmin `axis="-1"` is dropped before 0.9.5).
/// Upgrades that need operator signatures (0.8 aux states of BatchNorm) are
/// left to the importer. `fileName` only serves error messages.
llvm::Expected<Graph> parseSymbolJSON(llvm::StringRef text,
                                      llvm::StringRef fileName);
llvm::Expected<Graph> readSymbolFile(llvm::StringRef path);

/// Checks the invariants the parser guarantees (useful for hand-built
/// graphs before writing): inputs and control deps point to earlier nodes,
/// heads and arg_nodes are in range, arg_nodes are variables, nodeRowPtr is
/// empty or a consistent prefix sum, entry indices below output counts.
llvm::Error verifyGraph(const Graph &graph, llvm::StringRef fileName = "");

/// A node that makeNodeNamesUnique renamed.
struct RenamedNode {
  uint32_t id;
  std::string oldName, newName;
};

/// Gives every op node of the top graph a name no other node has, so that
/// node names can identify tensors (calibration tables, reports). MXNet
/// does not require unique names (detection models have two `_plus0`): the
/// first node keeps its name, later ones become `<name>#1`, `<name>#2`, ...,
/// skipping names that some node already has. Variables keep theirs:
/// parameters are found by name. Returns the renamed nodes in graph order.
std::vector<RenamedNode> makeNodeNamesUnique(Graph &graph);

/// Writes MXNet 1.9's layout, byte-compatible with its own writer: keys
/// nodes, arg_nodes, node_row_ptr, heads, attrs; node attrs sorted;
/// 3-element entries; `control_deps`/`subgraphs` only when non-empty;
/// `"mxnet_version": ["int", 10901]` on the top graph. node_row_ptr is
/// graph.nodeRowPtr when it has nodes.size()+1 values, else one output per
/// node.
std::string writeSymbolJSON(const Graph &graph);
/// Writes through a temporary file and renames it, so no partial file is
/// left behind on failure.
llvm::Error writeSymbolFile(const Graph &graph, llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Attribute strings
//===----------------------------------------------------------------------===//
//
// MXNet stores every attribute as the Python str() of the value (or C++
// std::to_string). Errors quote the offending text; callers add the node and
// attribute name (see attrError).

/// "64", "-1" (a Python 2 long suffix "64L" is accepted).
llvm::Expected<int64_t> parseInt(llvm::StringRef text);
/// "1e-05", "0.9", "0.000000", "3". inf and nan are rejected unless
/// `allowNonFinite` (then "inf", "-inf", "nan" in any case are accepted).
llvm::Expected<double> parseFloat(llvm::StringRef text,
                                  bool allowNonFinite = false);
/// "True"/"False"/"true"/"1"/"0", case-insensitive.
llvm::Expected<bool> parseBool(llvm::StringRef text);
/// "None" -> nullopt, else parseInt.
llvm::Expected<std::optional<int64_t>> parseOptInt(llvm::StringRef text);
/// "None" -> nullopt, else parseFloat.
llvm::Expected<std::optional<double>> parseOptFloat(llvm::StringRef text);
/// "(3, 3)", "[3,3]", "(5,)", "()", "3" (a scalar is a 1-tuple).
llvm::Expected<std::vector<int64_t>> parseIntTuple(llvm::StringRef text);
/// Like parseIntTuple, entries may be "None": "(None, 2)" (slice begin/end).
llvm::Expected<std::vector<std::optional<int64_t>>>
parseOptIntTuple(llvm::StringRef text);
/// "(0.5, 1.0)" and the other parseIntTuple spellings, with float entries.
llvm::Expected<std::vector<double>>
parseFloatTuple(llvm::StringRef text, bool allowNonFinite = false);

/// Python's str(tuple): "(3, 3)", "(5,)", "()".
std::string formatIntTuple(llvm::ArrayRef<int64_t> values);
/// "(None, 2)".
std::string formatOptIntTuple(llvm::ArrayRef<std::optional<int64_t>> values);
/// "True" / "False" (Python spelling, what MXNet's frontend writes).
std::string formatBool(bool value);
/// C++ std::to_string(float): "%f", six decimals ("3.562147", "0.000000").
/// MXNet writes min_calib_range/max_calib_range this way.
std::string formatFloatFixed(float value);
/// Python repr() of a double: shortest digits that read back exactly,
/// "1e-05", "0.9", "1.0", "1e+16", "inf", "nan".
std::string formatFloatRepr(double value);
/// Python-style layout of the shortest digits that read back to the same
/// float: formatFloat32Repr(1e-5f) is "1e-05", not "9.99999974737875e-06".
std::string formatFloat32Repr(float value);

/// Prefixes `err` with "node 'name' (#id) attribute 'key': ".
llvm::Error attrError(llvm::Error err, const Node &node, uint32_t id,
                      llvm::StringRef key);

//===----------------------------------------------------------------------===//
// .params files
//===----------------------------------------------------------------------===//

/// mshadow type flags.
enum class DType : int32_t {
  F32 = 0,
  F64 = 1,
  F16 = 2,
  U8 = 3,
  I32 = 4,
  I8 = 5,
  I64 = 6,
  Bool = 7,
  I16 = 8,
  U16 = 9,
  U32 = 10,
  U64 = 11,
  BF16 = 12,
};

/// Size in bytes of one element; nullopt for codes outside the enum.
std::optional<size_t> dtypeSize(int32_t code);
size_t dtypeSize(DType dtype);
/// MXNet's name: "float32", "float16", "uint8", "bfloat16", ...; "?" if
/// unknown.
llvm::StringRef dtypeName(DType dtype);
/// Whether parseParams accepts arrays of this type.
bool isSupportedDType(DType dtype);

/// How an NDArray record was laid out in the file (informational; the
/// writer always uses V2, or V3 for 0-d arrays).
enum class RecordFormat {
  Legacy, ///< Pre-1.0: u32 ndim, u32 dims, no magic.
  V1,     ///< 0xF993FAC8: i64 dims, no storage type.
  V2,     ///< 0xF993FAC9: storage type, i64 dims; ndim 0 means "none".
  V3,     ///< 0xF993FACA: numpy semantics; ndim -1 "none", 0 a scalar.
};

struct NDArray {
  /// Empty shape with isNone false is a 0-d scalar (one element).
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  /// Raw little-endian elements, C-contiguous.
  std::vector<uint8_t> data;
  /// A "none" (empty, shapeless) array: no dtype, no data.
  bool isNone = false;
  RecordFormat format = RecordFormat::V2;

  /// Product of the dims (1 for a scalar, 0 for none).
  int64_t numElements() const;
};

struct ParamsFile {
  /// Names exactly as stored ("arg:conv0_weight", "aux:bn0_moving_var", or
  /// bare Gluon names); empty names when the file has no name list.
  std::vector<std::pair<std::string, NDArray>> arrays;

  /// First array with this exact stored name, or null.
  const NDArray *lookup(llvm::StringRef name) const;
};

/// "arg:w" -> {"arg", "w"}; "aux:m" -> {"aux", "m"}; "w" -> {"", "w"}.
/// Only the `arg`/`aux` prefixes written by save_checkpoint are split.
std::pair<llvm::StringRef, llvm::StringRef>
splitParamName(llvm::StringRef stored);

/// Parses a whole .params file; the bytes must be consumed exactly.
llvm::Expected<ParamsFile> parseParams(llvm::ArrayRef<uint8_t> bytes,
                                       llvm::StringRef fileName);
llvm::Expected<ParamsFile> parseParams(llvm::StringRef bytes,
                                       llvm::StringRef fileName);
llvm::Expected<ParamsFile> readParamsFile(llvm::StringRef path);

/// Checks that data holds numElements() * dtypeSize(dtype) bytes, dims are
/// non-negative and the dtype is known.
llvm::Error verifyNDArray(const NDArray &array, llvm::StringRef name = "");

/// Serializes with list magic 0x112, V2 dense records (V3 for 0-d arrays),
/// cpu context, i64 dims, and a name list when any name is non-empty.
/// Precondition: every array passes verifyNDArray (asserted).
std::vector<uint8_t> writeParams(const ParamsFile &file);
/// Verifies, then writes through a temporary file and renames it.
llvm::Error writeParamsFile(const ParamsFile &file, llvm::StringRef path);

/// IEEE half <-> single conversions (round to nearest even).
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);

/// The array's elements as float32 (converting f64, f16, bf16 and integer
/// types; bool becomes 0/1). Fails on a none array or inconsistent data size.
llvm::Expected<std::vector<float>> toFloat32(const NDArray &array);
/// An f32 NDArray with the given shape and values.
NDArray makeF32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values);

} // namespace mxnet

#endif // QDIALECT_TRANSLATE_MXNETFORMAT_H

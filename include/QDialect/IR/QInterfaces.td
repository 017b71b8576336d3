//===- QInterfaces.td - op interfaces of the q dialect -------*- tablegen -*-===//
//
// Properties of q ops that passes rely on, declared with the ops (not as
// isa<> lists inside the passes).
//
//===----------------------------------------------------------------------===//

#ifndef Q_INTERFACES_TD
#define Q_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Q_LayoutPlanningOpInterface : OpInterface<"LayoutPlanningOpInterface"> {
  let cppNamespace = "::mlir::q";
  let description = [{
    An op that runs with its activations channels last (NHWC) as well as in
    the graph's NCHW, so `q-assign-layouts` may plan their layout. Its
    activations are its operands and results of rank >= 3 that are not
    constants. All of them share one layout, except the independent
    operands (a convolution's input: oneDNN reads either layout and writes
    its result in the other), which take the layout their producer planned.
    Ops without this interface read and write NCHW only.
  }];
  let methods = [
    InterfaceMethod<
      "Whether this op, with its shapes and attributes, can run channels "
      "last (the runtime kernel honours the layout).",
      "bool", "canRunChannelsLast", (ins), "", [{ return true; }]>,
    InterfaceMethod<
      "Whether operand `index` takes its own layout, independent of the "
      "layout of the results.",
      "bool", "hasIndependentLayout", (ins "unsigned":$index), "",
      [{ return false; }]>,
    InterfaceMethod<
      "The only layout this op runs in, if it has one (a kernel generated "
      "for one layout): its activations' group must take it.",
      "std::optional<::mlir::q::Layout>", "requiredLayout", (ins), "",
      [{ return std::nullopt; }]>,
  ];
}

#endif // Q_INTERFACES_TD

/*===- qrt.h - C ABI of the q runtime (libqrt) -------------------*- C -*-===//
 *
 * The functions compiler-generated code calls. Each op of a compiled model
 * has an id (0 <= id < num_ops) and goes through two phases:
 *
 *   init, once per model instance:
 *     qrt_<op>_init(model, op_id, &desc, constant operands...)
 *   creates the oneDNN primitives and packs constant operands (weights,
 *   bias, statistics, scales) into the model, so the caller may free them
 *   right after the call. Inits run on one thread, before any run.
 *
 *   run, many times, concurrently from several threads:
 *     qrt_<op>_run(model, exec, op_id, inputs..., output)
 *   reads the model only; every mutable thing (oneDNN stream, scratchpad,
 *   layout-conversion buffers) lives in the qrt_exec, which each concurrent
 *   caller creates for itself with qrt_exec_create().
 *
 * Descriptors (qrt_<op>_desc) are plain-old-data: fixed-width fields, no
 * pointers, a leading abi_version (= QRT_ABI_VERSION) and a pinned layout
 * (static asserts below), so the compiler can fill them at compile time and
 * embed their bytes in the generated library. Zero-initialise a descriptor,
 * then set its fields: zero is the default of every optional field.
 * Spatial arrays hold num_spatial leading entries in (D,) (H,) W order;
 * entries past num_spatial are ignored. Reserved fields must be zero.
 *
 * Buffers are dense, row-major (NC[D][H]W for activations) unless a
 * descriptor's layout field says channels last (qrt_layout), in the element
 * type the descriptor names. Errors: every function returns QRT_OK (0) or a
 * qrt_status; qrt_last_error() then tells, on the calling thread, which op
 * failed and why. Nothing aborts and no C++ exception leaves the library.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QRT_QRT_H
#define QRT_QRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define QRT_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define QRT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* libqrt builds with hidden visibility; only this interface is exported. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* Bumped whenever a descriptor layout or a signature changes. */
#define QRT_ABI_VERSION 3u

#define QRT_MAX_RANK 6
#define QRT_MAX_SPATIAL 3

/*===----------------------------------------------------------------------===
 * Status codes, element types, enums
 *===----------------------------------------------------------------------===*/

typedef enum qrt_status {
  QRT_OK = 0,
  QRT_ERR_NULL_POINTER = 1,     /* a required pointer argument is NULL */
  QRT_ERR_ABI_VERSION = 2,      /* desc->abi_version != QRT_ABI_VERSION */
  QRT_ERR_INVALID_ARGUMENT = 3, /* inconsistent descriptor or arguments */
  QRT_ERR_BAD_OP_ID = 4,        /* id out of range, reused, or not inited */
  QRT_ERR_UNSUPPORTED = 5,      /* valid but not implemented (dtype, ...) */
  QRT_ERR_OUT_OF_MEMORY = 6,
  QRT_ERR_ONEDNN = 7, /* oneDNN refused or failed */
  QRT_ERR_INTERNAL = 8
} qrt_status;

typedef enum qrt_dtype {
  QRT_F32 = 0,
  QRT_S8 = 1,
  QRT_U8 = 2,
  QRT_S32 = 3
} qrt_dtype;

/* Element-wise functions. Values are those of the q dialect's EltwiseKind
 * plus one (QRT_ELTWISE_x == (int)mlir::q::EltwiseKind::x + 1), so that a
 * zeroed qrt_eltwise means "no function". */
typedef enum qrt_eltwise_kind {
  QRT_ELTWISE_NONE = 0,    /* identity */
  QRT_ELTWISE_RELU = 1,    /* max(x, 0) */
  QRT_ELTWISE_SIGMOID = 2, /* 1 / (1 + exp(-x)) */
  QRT_ELTWISE_TANH = 3,
  QRT_ELTWISE_SOFTRELU = 4, /* log(1 + exp(x)) */
  QRT_ELTWISE_SOFTSIGN = 5, /* x / (1 + |x|) */
  QRT_ELTWISE_LEAKY = 6,    /* x > 0 ? x : alpha * x */
  QRT_ELTWISE_ELU = 7,      /* x > 0 ? x : alpha * (exp(x) - 1) */
  QRT_ELTWISE_SELU = 8,     /* fixed lambda and alpha; alpha/beta unused */
  QRT_ELTWISE_GELU = 9,     /* 0.5 x (1 + erf(x / sqrt 2)) */
  QRT_ELTWISE_CLIP = 10,    /* min(max(x, alpha), beta) */
  QRT_ELTWISE_SQUARE = 11,
  QRT_ELTWISE_SQRT = 12,
  QRT_ELTWISE_EXP = 13,
  QRT_ELTWISE_ABS = 14
} qrt_eltwise_kind;

/* Values match the q dialect's PoolKind and PoolConvention. */
typedef enum qrt_pool_kind {
  QRT_POOL_MAX = 0,
  QRT_POOL_AVG = 1,
  QRT_POOL_SUM = 2
} qrt_pool_kind;

typedef enum qrt_pool_convention {
  QRT_POOL_VALID = 0, /* out = 1 + floor((in + pads - k) / s) */
  QRT_POOL_FULL = 1,  /* out = 1 + ceil((in + pads - k) / s) */
  QRT_POOL_SAME = 2   /* reserved: lower to VALID with explicit pads */
} qrt_pool_convention;

typedef enum qrt_binary_op {
  QRT_BINARY_ADD = 0,
  QRT_BINARY_SUB = 1,
  QRT_BINARY_MUL = 2,
  QRT_BINARY_DIV = 3,
  QRT_BINARY_MAX = 4,
  QRT_BINARY_MIN = 5
} qrt_binary_op;

/* Values match the q dialect's ScalarKind; r* put the scalar on the left. */
typedef enum qrt_scalar_op {
  QRT_SCALAR_ADD = 0,
  QRT_SCALAR_SUB = 1,
  QRT_SCALAR_RSUB = 2,
  QRT_SCALAR_MUL = 3,
  QRT_SCALAR_DIV = 4,
  QRT_SCALAR_RDIV = 5,
  QRT_SCALAR_POW = 6,
  QRT_SCALAR_RPOW = 7,
  QRT_SCALAR_MAX = 8,
  QRT_SCALAR_MIN = 9
} qrt_scalar_op;

/*===----------------------------------------------------------------------===
 * Building blocks of descriptors
 *===----------------------------------------------------------------------===*/

/* Physical layout of an activation whose logical dims are [N, C, S...]
 * (S: 0 to 3 spatial dims). NCHW is dense row-major in the logical order;
 * NHWC ("channels last") stores the same elements as [N, S..., C]: element
 * (n, c, s) lives at ((n * prod(S) + s) * C + c). Both hold exactly the
 * logical element count, so buffer sizes do not depend on the layout, and
 * an element-wise op whose operands all share one layout runs unchanged.
 * Descriptors with a layout field apply it to the activations they name
 * (below rank 3 every layout is NCHW); the compiler's q-assign-layouts
 * pass picks them (docs/RUNTIME.md, "Layouts"). */
typedef enum qrt_layout {
  QRT_LAYOUT_NCHW = 0, /* the graph's own layout */
  QRT_LAYOUT_NHWC = 1
} qrt_layout;

/* A dense shape; dims[rank..] are ignored. Rank 0 is a scalar. */
typedef struct qrt_shape {
  int32_t rank;
  int32_t reserved;
  int64_t dims[QRT_MAX_RANK];
} qrt_shape;

/* One element-wise function; kind QRT_ELTWISE_NONE means absent. */
typedef struct qrt_eltwise {
  int32_t kind; /* qrt_eltwise_kind */
  float alpha;  /* leaky/elu slope, clip lower bound */
  float beta;   /* clip upper bound */
  int32_t reserved;
} qrt_eltwise;

/* int8 numerics (docs/RUNTIME.md, "int8"). A quantized tensor (s8, u8, s32)
 * has a step: real value = integer * step, zero point 0. The compiler picks
 * static steps as absmax / 127.5 (s8) or absmax / 255.5 (u8); rounding is
 * always to nearest, ties to even, then saturation to the dtype's range.
 *
 * qrt_qparam names the step of one operand:
 *   step > 0 (finite):     static, known at init;
 *   step == 0, slot >= 0:  dynamic, held in step slot `slot` of the
 *                          qrt_exec and known only at run time;
 *   anything else is an error at init.
 * A zeroed qrt_qparam therefore means "dynamic, slot 0"; f32 operands ignore
 * their qrt_qparam. The model counts slots from its inits (max slot + 1);
 * each qrt_exec owns that many floats, initially 0. An op with a dynamic
 * 8-bit dst (qrt_quantize, quantized concat) writes its slot during run;
 * an op reading a slot fails (QRT_ERR_INVALID_ARGUMENT) if the slot does
 * not hold a finite step > 0, i.e. nothing wrote it yet. Slots keep their
 * values across runs; the compiler assigns them and orders producers before
 * consumers within a run. A dynamic step computed from data is
 *   step = absmax / R,  R = 127.5 (s8) or 255.5 (u8),
 * with absmax the largest |real value| over the finite elements, rounded
 * to float; absmax == 0 (or a step that underflows to 0) gives 1 / R. */
typedef struct qrt_qparam {
  float step;
  int32_t slot;
} qrt_qparam;

/*===----------------------------------------------------------------------===
 * Model and execution context
 *===----------------------------------------------------------------------===*/

typedef struct qrt_model qrt_model;
typedef struct qrt_exec qrt_exec;

/* Message of the last failure on the calling thread ("" if none). The
 * pointer stays valid until the next qrt call on this thread. */
const char *qrt_last_error(void);

/* num_ops: number of op ids; num_threads: OpenMP threads per run (and per
 * init), 0 = OpenMP's default. NULL on failure (see qrt_last_error). */
qrt_model *qrt_model_create(int32_t num_ops, int32_t num_threads);
void qrt_model_destroy(qrt_model *model); /* NULL is a no-op */

/* Bytes a qrt_exec needs for the ops initialised so far. */
int64_t qrt_model_scratch_size(const qrt_model *model);

/* What executes op_id: the oneDNN implementation ("jit:avx2", ...), plus
 * layout conversions, or "loop". NULL if the op is not initialised. */
const char *qrt_op_info(const qrt_model *model, int32_t op_id);

/* Per-run context: create after all inits; one per concurrent caller. */
qrt_exec *qrt_exec_create(qrt_model *model);
void qrt_exec_destroy(qrt_exec *exec); /* NULL is a no-op */

/* Number of step slots the ops initialised so far use (max slot + 1). */
int32_t qrt_model_num_step_slots(const qrt_model *model);

/* Writes / reads step slot `slot` of `exec` (0 <= slot < the model's slot
 * count): for a graph input quantized by the caller, and for tests. set
 * needs a finite step > 0; get returns 0 for a slot nothing wrote yet. */
int32_t qrt_exec_set_step(qrt_exec *exec, int32_t slot, float step);
int32_t qrt_exec_get_step(qrt_exec *exec, int32_t slot, float *step);

/* memmove of num_bytes; for reshapes whose buffers could not be aliased. */
int32_t qrt_copy(const void *src, void *dst, int64_t num_bytes);

/* Runs a kernel generated by q-lower-to-loops over [0, num_tiles) on the
 * model's threads (the num_threads it was created with, which the library's
 * q_model_options.num_threads sets; 0: OpenMP's default), like the oneDNN
 * ops; see qrt_parallel_for in qrt/parallel.h. */
int32_t qrt_model_parallel_for(const qrt_model *model,
                               void (*fn)(void **args, int64_t begin,
                                          int64_t end),
                               void **args, int64_t num_tiles);

/*===----------------------------------------------------------------------===
 * Convolution (q.convolution, q.fused_conv)
 *
 * weight is [OC, IC/groups, k...], bias [OC] (f32 real values in both
 * modes). fp32: every dtype QRT_F32, num_weight_steps 0,
 *   dst = postsum_act(act(conv(src, weight) + bias) + sum_scale * sum).
 *
 * int8: src_dtype s8/u8 with step sx = src_q (static or dynamic), weight_dtype
 * s8 with per-output-channel steps sw[oc] (init argument weight_steps,
 * num_weight_steps = out_channels, or 1 for all), bias_dtype f32,
 * dst_dtype s8/u8 with a static dst_q step, or f32 (real values; for an
 * output whose step is not known at compile time: quantize it afterwards).
 * Per output element, with exact integer arithmetic:
 *   bq[oc]  = clamp(rne(bias[oc] / (sx * sw[oc])), +-(2^31-1)/2)
 *             (the bias in accumulator units; computed in double at init
 *             when sx is static, per run otherwise; the clamp replaces
 *             MXNet's weight-step shrinking, so the compiler should apply
 *             that guard when it picks sw - reference 3.5 step 3),
 *   acc     = sum(src_int * weight_int) + bq[oc], saturated to int32,
 *   y       = act(acc * (sx * sw[oc]))                     (real value)
 *   y       = postsum_act(y + sum_scale * sum_real)    (with has_sum; else
 *             postsum_act(y)), sum_real = sum_int * step(sum_q) for an
 *             s8/u8 sum (dst s8/u8), the value itself for an f32 sum (dst
 *             f32),
 *   dst     = y (f32), or sat(rne(y / step(dst_q))) (s8/u8).
 * act and postsum_act are any qrt_eltwise, evaluated on real values (so
 * tanh or sigmoid into a u8 dst are exact functions, saturated at 0).
 * How it runs (qrt_op_info): with static steps and oneDNN-expressible
 * post-ops, oneDNN's int8 convolution with output scales sx*sw[oc] and the
 * post-ops, evaluated in f32 (8-bit results may then differ from the double-
 * precision reference by 1 LSB); with a dynamic src/sum step, softsign, or
 * two eltwises of one oneDNN algorithm (a oneDNN bug), oneDNN's s32
 * accumulator plus a double-precision loop ("+loop int8 epilogue"), which
 * matches the reference exactly. Without VNNI (AVX2) oneDNN's accumulator
 * itself is inexact on full-range data: docs/RUNTIME.md, int8.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_conv_desc {
  uint32_t abi_version;
  int32_t num_spatial; /* 1, 2 or 3 */
  int64_t batch;
  int64_t in_channels;
  int64_t out_channels;
  int64_t groups; /* >= 1, divides both channel counts */
  int64_t in_spatial[QRT_MAX_SPATIAL];
  int64_t kernel[QRT_MAX_SPATIAL];
  int64_t out_spatial[QRT_MAX_SPATIAL]; /* checked against the geometry */
  int64_t strides[QRT_MAX_SPATIAL];     /* >= 1 */
  int64_t dilations[QRT_MAX_SPATIAL];   /* MXNet's: 1 = dense */
  int64_t pad_begin[QRT_MAX_SPATIAL];
  int64_t pad_end[QRT_MAX_SPATIAL];
  int32_t src_dtype;    /* f32, s8, u8 */
  int32_t weight_dtype; /* f32 (fp32), s8 (int8) */
  int32_t bias_dtype;   /* f32 */
  int32_t dst_dtype;    /* f32; s8/u8 (int8) */
  int32_t sum_dtype;    /* f32 for an f32 dst, s8/u8 for an 8-bit dst */
  int32_t has_bias;
  int32_t has_sum; /* run() takes a sum operand shaped like dst */
  float sum_scale; /* real multiplier of the real sum */
  qrt_eltwise act;
  qrt_eltwise postsum_act;
  int32_t num_weight_steps; /* 0 (fp32), 1 or out_channels (int8) */
  int32_t reserved0;
  qrt_qparam src_q; /* int8: step of src */
  qrt_qparam dst_q; /* s8/u8 dst: static step */
  qrt_qparam sum_q; /* s8/u8 sum: step (static or dynamic) */
  int32_t src_layout; /* qrt_layout of src */
  int32_t dst_layout; /* qrt_layout of dst and sum */
  int64_t reserved[1];
} qrt_conv_desc;

/* bias (f32 values) may be NULL iff !has_bias; weight_steps NULL iff
 * num_weight_steps == 0. Steps must be finite and > 0. */
int32_t qrt_conv_init(qrt_model *model, int32_t op_id,
                      const qrt_conv_desc *desc, const void *weight,
                      const void *bias, const float *weight_steps);
/* sum: NULL iff !has_sum; may equal dst (accumulate in place). */
int32_t qrt_conv_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                     const void *src, const void *sum, void *dst);

/*===----------------------------------------------------------------------===
 * Fully connected (q.fully_connected, q.fused_fc)
 *
 *   dst = act(src * weight^T + bias), weight [num_hidden, K].
 * flatten != 0: src is [N, K = prod(rest)], dst [N, num_hidden];
 * flatten == 0: K is the last dim of src, dst keeps the leading dims.
 * int8: exactly the convolution's contract without sum and postsum_act
 * (oc = hidden unit): src s8/u8 with src_q, weight s8 with weight_steps,
 * f32 bias, dst s8/u8 with a static dst_q or f32.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_fc_desc {
  uint32_t abi_version;
  int32_t flatten;
  qrt_shape input;
  int64_t num_hidden;
  int32_t src_dtype;
  int32_t weight_dtype;
  int32_t bias_dtype;
  int32_t dst_dtype;
  int32_t has_bias;
  int32_t num_weight_steps; /* 0 (fp32), 1 or num_hidden (int8) */
  qrt_eltwise act;
  qrt_qparam src_q;
  qrt_qparam dst_q;
  int64_t reserved[2];
} qrt_fc_desc;

int32_t qrt_fc_init(qrt_model *model, int32_t op_id, const qrt_fc_desc *desc,
                    const void *weight, const void *bias,
                    const float *weight_steps);
int32_t qrt_fc_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                   const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Pooling (q.pooling): max/avg/sum, 1-D to 3-D, valid/full conventions,
 * asymmetric pads, global. Semantics of qrt::ref::pool (reference.h).
 * s8/u8 (max and avg; the step passes through unchanged, so the descriptor
 * has none): max is exact (a window with no input element gives the dtype's
 * lowest value); avg is sat(rne(sum / count)) of the integers with count as
 * in f32 (count_include_pad counts padded positions, a trailing 'full'
 * window only the part inside the padded input), and 0 for a window
 * whose count is 0 (NaN in f32). qrt::ref::int8Pool is the oracle.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_pooling_desc {
  uint32_t abi_version;
  int32_t kind;              /* qrt_pool_kind */
  int32_t convention;        /* qrt_pool_convention */
  int32_t count_include_pad; /* avg only */
  int32_t global_pool;       /* kernel = whole input; strides/pads ignored */
  int32_t num_spatial;
  int32_t dtype; /* f32; s8/u8 for max and avg */
  int32_t reserved0;
  int64_t batch;
  int64_t channels;
  int64_t in_spatial[QRT_MAX_SPATIAL];
  int64_t kernel[QRT_MAX_SPATIAL];
  int64_t strides[QRT_MAX_SPATIAL]; /* >= 1 */
  int64_t pad_begin[QRT_MAX_SPATIAL];
  int64_t pad_end[QRT_MAX_SPATIAL];
  int64_t out_spatial[QRT_MAX_SPATIAL]; /* checked */
  int32_t layout;                       /* qrt_layout of src and dst */
  int32_t reserved1;
  int64_t reserved[1];
} qrt_pooling_desc;

int32_t qrt_pooling_init(qrt_model *model, int32_t op_id,
                         const qrt_pooling_desc *desc);
int32_t qrt_pooling_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                        const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Batch norm, inference (q.batch_norm):
 *   dst = gamma * (src - mean) / sqrt(var + epsilon) + beta along axis;
 * fix_gamma uses gamma = 1 (gamma may then be NULL). In place is allowed.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_batch_norm_desc {
  uint32_t abi_version;
  int32_t axis; /* negative counts from the end */
  qrt_shape input;
  float epsilon;
  int32_t fix_gamma;
  int32_t dtype;  /* f32 */
  int32_t layout; /* qrt_layout of src and dst (NHWC needs axis 1) */
  int64_t reserved[2];
} qrt_batch_norm_desc;

int32_t qrt_batch_norm_init(qrt_model *model, int32_t op_id,
                            const qrt_batch_norm_desc *desc, const float *gamma,
                            const float *beta, const float *mean,
                            const float *variance);
int32_t qrt_batch_norm_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                           const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Element-wise activation (q.activation); in place is allowed.
 * s8/u8: relu, leaky and clip only; src and dst share the step q (static or
 * dynamic). With real values x = src * step: dst = sat(rne(act(x) / step)),
 * i.e. relu max(src, 0), leaky sat(rne(alpha * src)) for src < 0, clip
 * clamp(src, sat(rne(alpha / step)), sat(rne(beta / step))) (clip bounds
 * are real values; computed in double).
 *===----------------------------------------------------------------------===*/

typedef struct qrt_activation_desc {
  uint32_t abi_version;
  int32_t dtype; /* f32, s8, u8 */
  int64_t num_elements;
  qrt_eltwise act;
  qrt_qparam q; /* s8/u8: the step of src and dst (clip reads it) */
  int64_t reserved[1];
} qrt_activation_desc;

int32_t qrt_activation_init(qrt_model *model, int32_t op_id,
                            const qrt_activation_desc *desc);
int32_t qrt_activation_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                           const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * PReLU (q.prelu): x > 0 ? x : slope[c] * x, c on axis 1; num_slopes is the
 * channel count or 1 (shared). In place is allowed.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_prelu_desc {
  uint32_t abi_version;
  int32_t dtype;   /* f32 */
  qrt_shape input; /* rank >= 2 */
  int64_t num_slopes;
  int32_t layout; /* qrt_layout of src and dst */
  int32_t reserved0;
  int64_t reserved[1];
} qrt_prelu_desc;

int32_t qrt_prelu_init(qrt_model *model, int32_t op_id,
                       const qrt_prelu_desc *desc, const float *slope);
int32_t qrt_prelu_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                      const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Binary arithmetic with NumPy broadcasting (q.add/sub/mul/div):
 *   dst = act(lhs op rhs), dst shaped like the broadcast of lhs and rhs.
 * dst may alias an operand whose shape equals dst's.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_binary_desc {
  uint32_t abi_version;
  int32_t op; /* qrt_binary_op */
  qrt_shape lhs;
  qrt_shape rhs;
  int32_t dtype;  /* f32 */
  int32_t layout; /* qrt_layout of lhs, rhs and dst (those of rank >= 3) */
  qrt_eltwise act; /* optional fused activation */
  int64_t reserved[2];
} qrt_binary_desc;

int32_t qrt_binary_init(qrt_model *model, int32_t op_id,
                        const qrt_binary_desc *desc);
/* qrt_binary_init with constant operands: a non-NULL lhs / rhs (of the
 * desc's lhs / rhs shape, stored in the desc's layout when its rank is
 * >= 3) is copied and used in every run, which then ignores that pointer
 * argument (pass NULL). */
int32_t qrt_binary_const_init(qrt_model *model, int32_t op_id,
                              const qrt_binary_desc *desc, const float *lhs,
                              const float *rhs);
int32_t qrt_binary_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                       const void *lhs, const void *rhs, void *dst);

/*===----------------------------------------------------------------------===
 * Scalar arithmetic (q.scalar): dst = src op scalar (or scalar op src for
 * the r* forms). In place is allowed.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_scalar_desc {
  uint32_t abi_version;
  int32_t op; /* qrt_scalar_op */
  int64_t num_elements;
  float scalar;
  int32_t dtype; /* f32 */
  int64_t reserved[2];
} qrt_scalar_desc;

int32_t qrt_scalar_init(qrt_model *model, int32_t op_id,
                        const qrt_scalar_desc *desc);
int32_t qrt_scalar_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                       const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Softmax / log-softmax (q.softmax): of src / temperature along axis.
 *===----------------------------------------------------------------------===*/

typedef struct qrt_softmax_desc {
  uint32_t abi_version;
  int32_t axis; /* negative counts from the end */
  qrt_shape input;
  float temperature; /* finite, nonzero; 1 when the attribute is absent */
  int32_t log;
  int32_t dtype; /* f32 */
  int32_t reserved0;
  int64_t reserved[2];
} qrt_softmax_desc;

int32_t qrt_softmax_init(qrt_model *model, int32_t op_id,
                         const qrt_softmax_desc *desc);
int32_t qrt_softmax_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                        const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Data movement. Any dtype.
 *===----------------------------------------------------------------------===*/

/* Concat (q.concat): input i equals `output` except along axis, where it
 * has axis_sizes[i] (an init argument; their sum is output.dims[axis]).
 * qrt_concat_init moves bytes of any dtype (dst_q is ignored).
 *
 * qrt_concat_quantized_init: int8 concat with steps. dtype (s8/u8) and
 * dst_q belong to the output; input i has src_dtypes[i] (s8/u8; NULL: all
 * equal dtype) and step src_q[i] (static or dynamic). A dynamic dst_q
 * becomes, at each run, the largest input step (of all inputs, empty ones
 * included), written to its slot. Element by element:
 *   dst = src                                 if same dtype and step,
 *   dst = sat(rne((double)src * step_i / step_dst)) otherwise
 * (so equal steps and dtypes copy bytes; an s8 input into a u8 output
 * loses its negative values, as MXNet's u8 concat of mixed inputs would
 * not: the compiler should pick s8 then). Runs with qrt_concat_run. */
typedef struct qrt_concat_desc {
  uint32_t abi_version;
  int32_t axis; /* negative counts from the end */
  int32_t num_inputs;
  int32_t dtype;
  qrt_shape output;
  qrt_qparam dst_q; /* quantized concat only */
  int32_t layout;   /* qrt_layout of every src and dst */
  int32_t reserved0;
} qrt_concat_desc;

int32_t qrt_concat_init(qrt_model *model, int32_t op_id,
                        const qrt_concat_desc *desc, const int64_t *axis_sizes);
int32_t qrt_concat_quantized_init(qrt_model *model, int32_t op_id,
                                  const qrt_concat_desc *desc,
                                  const int64_t *axis_sizes,
                                  const int32_t *src_dtypes,
                                  const qrt_qparam *src_q);
/* srcs: num_inputs pointers. */
int32_t qrt_concat_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                       const void *const *srcs, void *dst);

/* Transpose (q.transpose): dst.dims[i] = input.dims[perm[i]]; perm_size 0
 * reverses the axes, otherwise perm_size == input.rank. */
typedef struct qrt_transpose_desc {
  uint32_t abi_version;
  int32_t dtype;
  qrt_shape input;
  int32_t perm[QRT_MAX_RANK];
  int32_t perm_size;
  int32_t reserved0;
  int64_t reserved[2];
} qrt_transpose_desc;

int32_t qrt_transpose_init(qrt_model *model, int32_t op_id,
                           const qrt_transpose_desc *desc);
int32_t qrt_transpose_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                          const void *src, void *dst);

/* Slice (q.slice) of the first num_axes axes, others kept whole, with
 * Python semantics already resolved by the compiler (qrt::ref::SliceParams):
 * step > 0: 0 <= begin, end <= dim; step < 0: -1 <= begin, end < dim. */
typedef struct qrt_slice_desc {
  uint32_t abi_version;
  int32_t dtype;
  qrt_shape input;
  int64_t begin[QRT_MAX_RANK];
  int64_t end[QRT_MAX_RANK];
  int64_t step[QRT_MAX_RANK]; /* nonzero */
  int32_t num_axes;
  int32_t reserved0;
  int64_t reserved[2];
} qrt_slice_desc;

int32_t qrt_slice_init(qrt_model *model, int32_t op_id,
                       const qrt_slice_desc *desc);
int32_t qrt_slice_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                      const void *src, void *dst);

/* Nearest upsampling (q.upsampling) of every axis from 2 on by `scale`. */
typedef struct qrt_upsampling_desc {
  uint32_t abi_version;
  int32_t dtype;
  qrt_shape input; /* rank >= 3 */
  int64_t scale;   /* >= 1 */
  int64_t reserved[2];
} qrt_upsampling_desc;

int32_t qrt_upsampling_init(qrt_model *model, int32_t op_id,
                            const qrt_upsampling_desc *desc);
int32_t qrt_upsampling_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                           const void *src, void *dst);

/* Crop (q.crop) of the spatial axes (2..rank-1): dst = src[:, :,
 * offsets[0] : offsets[0] + sizes[0], ...]. */
typedef struct qrt_crop_desc {
  uint32_t abi_version;
  int32_t dtype;
  qrt_shape input; /* rank 3..5 */
  int64_t offsets[QRT_MAX_SPATIAL];
  int64_t sizes[QRT_MAX_SPATIAL];
  int64_t reserved[2];
} qrt_crop_desc;

int32_t qrt_crop_init(qrt_model *model, int32_t op_id,
                      const qrt_crop_desc *desc);
int32_t qrt_crop_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                     const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * int8 element ops
 *===----------------------------------------------------------------------===*/

/* Quantize / dequantize / requantize / rescale: one element-wise reorder by
 * real value. src: f32 (real values) or s8/u8/s32 with step src_q (static
 * or dynamic), real = src * step. dst: f32 (dequantize: the real value,
 * computed in double and rounded to float) or s8/u8 with dst_q:
 *   static:  dst = sat(rne(real / step)), in double: (double)src *
 *            src_step / dst_step for integer src, (double)src / dst_step
 *            for f32 src;
 *   dynamic: step = absmax / R over the whole tensor (see qrt_qparam) is
 *            computed first and written to dst_q's slot, then as static.
 * NaN quantizes to 0, +-inf saturates. f32 -> f32 is an error; in place
 * (src == dst) is allowed when both dtypes have the same size.
 *
 * Per-channel steps (qrt_quantize_channels_init): f32 src and s8/u8 dst
 * (quantize), or s8/u8 src and f32 dst (dequantize); channels > 0 and one
 * static step per channel in `steps`; element i of an NCHW tensor (layout
 * QRT_LAYOUT_NCHW) is in channel (i / inner) % channels, of an NHWC one
 * i % channels; dst = sat(rne(src / steps[c])) or (float)(src * steps[c])
 * in double; src_q and dst_q are ignored. qrt_quantize_init needs layout, channels and inner 0. */
typedef struct qrt_quantize_desc {
  uint32_t abi_version;
  int32_t src_dtype; /* f32, s8, u8, s32 */
  int32_t dst_dtype; /* f32, s8, u8 */
  int32_t layout;    /* per-channel steps: QRT_LAYOUT_NCHW or _NHWC */
  int64_t num_elements;
  qrt_qparam src_q; /* integer src */
  qrt_qparam dst_q; /* s8/u8 dst */
  int64_t channels; /* per-channel steps: the channel count, else 0 */
  int64_t inner;    /* per-channel steps: values per channel and sample */
} qrt_quantize_desc;

int32_t qrt_quantize_init(qrt_model *model, int32_t op_id,
                          const qrt_quantize_desc *desc);
int32_t qrt_quantize_channels_init(qrt_model *model, int32_t op_id,
                                   const qrt_quantize_desc *desc,
                                   const float *steps);
int32_t qrt_quantize_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                         const void *src, void *dst);

/* Quantized element-wise add (MXNet's quantized elemwise_add) of two
 * equally shaped tensors, with an optional activation on the real sum:
 *   y = act((double)lhs * lhs_step + (double)rhs * rhs_step)
 *   dst = (float)y (f32), or sat(rne(y / dst_step)) (s8/u8, static dst_q)
 * all in double (act too). lhs/rhs: s8/u8, steps static or dynamic. dst
 * may alias an operand of the same dtype. */
typedef struct qrt_quantized_add_desc {
  uint32_t abi_version;
  int32_t lhs_dtype; /* s8, u8 */
  int32_t rhs_dtype; /* s8, u8 */
  int32_t dst_dtype; /* s8, u8, f32 */
  int64_t num_elements;
  qrt_qparam lhs_q;
  qrt_qparam rhs_q;
  qrt_qparam dst_q; /* s8/u8 dst: static */
  qrt_eltwise act;
  int64_t reserved[2];
} qrt_quantized_add_desc;

int32_t qrt_quantized_add_init(qrt_model *model, int32_t op_id,
                               const qrt_quantized_add_desc *desc);
int32_t qrt_quantized_add_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                              const void *lhs, const void *rhs, void *dst);

/*===----------------------------------------------------------------------===
 * Raw inputs (q.input_lookup)
 *
 * One byte-indexed table lookup per element of a raw 8-bit model input:
 *   dst[n][c][s...] = table[row(c)][index(x)],
 * where x is the src element of sample n, channel c and spatial position
 * s; index(x) = x for u8 and x + 128 for s8; row(c) = c, or 0 when
 * table_rows is 1. With QRT_LAYOUT_NCHW src has dst's shape (any rank >= 1;
 * the channel is axis 1, or none below rank 2); with QRT_LAYOUT_NHWC src
 * is [N, H, W, C] and dst [N, C, H, W], so the lookup also transposes.
 * table holds table_rows x 256 entries of dst_dtype (f32, or the stored
 * integers of an s8/u8 tensor whose static step the consumer knows) and is
 * copied at init. Parallel over the rows of N * H (NHWC) or N * C (NCHW).
 *===----------------------------------------------------------------------===*/

typedef struct qrt_input_lookup_desc {
  uint32_t abi_version;
  int32_t src_dtype;  /* u8, s8 */
  int32_t dst_dtype;  /* f32, s8, u8 */
  int32_t layout;     /* qrt_layout */
  qrt_shape input;    /* src as stored (NHWC dims for NHWC) */
  int64_t table_rows; /* 1, or the channel count */
  int64_t reserved[2];
} qrt_input_lookup_desc;

int32_t qrt_input_lookup_init(qrt_model *model, int32_t op_id,
                              const qrt_input_lookup_desc *desc,
                              const void *table);
int32_t qrt_input_lookup_run(qrt_model *model, qrt_exec *exec, int32_t op_id,
                             const void *src, void *dst);

/*===----------------------------------------------------------------------===
 * Pinned layouts: the compiler embeds these bytes; any change here must
 * bump QRT_ABI_VERSION.
 *===----------------------------------------------------------------------===*/

#define QRT_PIN_SIZE(type, size)                                               \
  QRT_STATIC_ASSERT(sizeof(type) == (size), #type " size changed")
#define QRT_PIN_OFFSET(type, field, offset)                                    \
  QRT_STATIC_ASSERT(offsetof(type, field) == (offset),                         \
                    #type "." #field " moved")

QRT_PIN_SIZE(qrt_shape, 56);
QRT_PIN_OFFSET(qrt_shape, dims, 8);
QRT_PIN_SIZE(qrt_eltwise, 16);
QRT_PIN_OFFSET(qrt_eltwise, beta, 8);
QRT_PIN_SIZE(qrt_qparam, 8);
QRT_PIN_OFFSET(qrt_qparam, slot, 4);

QRT_PIN_SIZE(qrt_conv_desc, 320);
QRT_PIN_OFFSET(qrt_conv_desc, batch, 8);
QRT_PIN_OFFSET(qrt_conv_desc, in_spatial, 40);
QRT_PIN_OFFSET(qrt_conv_desc, pad_end, 184);
QRT_PIN_OFFSET(qrt_conv_desc, src_dtype, 208);
QRT_PIN_OFFSET(qrt_conv_desc, sum_scale, 236);
QRT_PIN_OFFSET(qrt_conv_desc, act, 240);
QRT_PIN_OFFSET(qrt_conv_desc, postsum_act, 256);
QRT_PIN_OFFSET(qrt_conv_desc, num_weight_steps, 272);
QRT_PIN_OFFSET(qrt_conv_desc, src_q, 280);
QRT_PIN_OFFSET(qrt_conv_desc, dst_q, 288);
QRT_PIN_OFFSET(qrt_conv_desc, sum_q, 296);
QRT_PIN_OFFSET(qrt_conv_desc, src_layout, 304);
QRT_PIN_OFFSET(qrt_conv_desc, dst_layout, 308);

QRT_PIN_SIZE(qrt_fc_desc, 144);
QRT_PIN_OFFSET(qrt_fc_desc, input, 8);
QRT_PIN_OFFSET(qrt_fc_desc, num_hidden, 64);
QRT_PIN_OFFSET(qrt_fc_desc, has_bias, 88);
QRT_PIN_OFFSET(qrt_fc_desc, act, 96);
QRT_PIN_OFFSET(qrt_fc_desc, src_q, 112);
QRT_PIN_OFFSET(qrt_fc_desc, dst_q, 120);

QRT_PIN_SIZE(qrt_pooling_desc, 208);
QRT_PIN_OFFSET(qrt_pooling_desc, dtype, 24);
QRT_PIN_OFFSET(qrt_pooling_desc, batch, 32);
QRT_PIN_OFFSET(qrt_pooling_desc, out_spatial, 168);
QRT_PIN_OFFSET(qrt_pooling_desc, layout, 192);

QRT_PIN_SIZE(qrt_batch_norm_desc, 96);
QRT_PIN_OFFSET(qrt_batch_norm_desc, epsilon, 64);
QRT_PIN_OFFSET(qrt_batch_norm_desc, layout, 76);

QRT_PIN_SIZE(qrt_activation_desc, 48);
QRT_PIN_OFFSET(qrt_activation_desc, act, 16);
QRT_PIN_OFFSET(qrt_activation_desc, q, 32);

QRT_PIN_SIZE(qrt_prelu_desc, 88);
QRT_PIN_OFFSET(qrt_prelu_desc, num_slopes, 64);
QRT_PIN_OFFSET(qrt_prelu_desc, layout, 72);

QRT_PIN_SIZE(qrt_binary_desc, 160);
QRT_PIN_OFFSET(qrt_binary_desc, rhs, 64);
QRT_PIN_OFFSET(qrt_binary_desc, dtype, 120);
QRT_PIN_OFFSET(qrt_binary_desc, layout, 124);
QRT_PIN_OFFSET(qrt_binary_desc, act, 128);

QRT_PIN_SIZE(qrt_scalar_desc, 40);
QRT_PIN_OFFSET(qrt_scalar_desc, scalar, 16);

QRT_PIN_SIZE(qrt_softmax_desc, 96);
QRT_PIN_OFFSET(qrt_softmax_desc, temperature, 64);

QRT_PIN_SIZE(qrt_concat_desc, 88);
QRT_PIN_OFFSET(qrt_concat_desc, output, 16);
QRT_PIN_OFFSET(qrt_concat_desc, dst_q, 72);
QRT_PIN_OFFSET(qrt_concat_desc, layout, 80);

QRT_PIN_SIZE(qrt_transpose_desc, 112);
QRT_PIN_OFFSET(qrt_transpose_desc, perm, 64);
QRT_PIN_OFFSET(qrt_transpose_desc, perm_size, 88);

QRT_PIN_SIZE(qrt_slice_desc, 232);
QRT_PIN_OFFSET(qrt_slice_desc, begin, 64);
QRT_PIN_OFFSET(qrt_slice_desc, step, 160);
QRT_PIN_OFFSET(qrt_slice_desc, num_axes, 208);

QRT_PIN_SIZE(qrt_upsampling_desc, 88);
QRT_PIN_OFFSET(qrt_upsampling_desc, scale, 64);

QRT_PIN_SIZE(qrt_crop_desc, 128);
QRT_PIN_OFFSET(qrt_crop_desc, sizes, 88);

QRT_PIN_SIZE(qrt_quantize_desc, 56);
QRT_PIN_OFFSET(qrt_quantize_desc, num_elements, 16);
QRT_PIN_OFFSET(qrt_quantize_desc, src_q, 24);
QRT_PIN_OFFSET(qrt_quantize_desc, dst_q, 32);

QRT_PIN_SIZE(qrt_quantized_add_desc, 80);
QRT_PIN_OFFSET(qrt_quantized_add_desc, num_elements, 16);
QRT_PIN_OFFSET(qrt_quantized_add_desc, lhs_q, 24);
QRT_PIN_OFFSET(qrt_quantized_add_desc, dst_q, 40);
QRT_PIN_OFFSET(qrt_quantized_add_desc, act, 48);

QRT_PIN_SIZE(qrt_input_lookup_desc, 96);
QRT_PIN_OFFSET(qrt_input_lookup_desc, input, 16);
QRT_PIN_OFFSET(qrt_input_lookup_desc, table_rows, 72);

#undef QRT_PIN_SIZE
#undef QRT_PIN_OFFSET

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QRT_QRT_H */

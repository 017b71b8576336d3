/*===- model.h - C API of a model compiled by q ------------------*- C -*-===//
 *
 * Every shared library that q-compile produces exports these functions:
 *
 *   q_model *model = NULL;
 *   if (q_model_create(&model, NULL) != Q_OK)         // embedded weights
 *     fprintf(stderr, "%s\n", q_last_error());
 *   const void *inputs[] = {image};                    // dense, row-major
 *   void *outputs[] = {scores};
 *   q_status s = q_model_run(model, inputs, outputs);
 *   q_model_destroy(model);
 *
 * Inputs and outputs are indexed 0..n-1 in a fixed order and also have
 * names (those of the MXNet graph); the query functions tell their dtype
 * and shape. Buffers are dense, C order, with no alignment requirement.
 *
 * Errors: every function that can fail returns a q_status; Q_OK is 0 and
 * any other value comes with a message that q_last_error() returns on the
 * same thread. Nothing aborts and no C++ exception leaves the library:
 * null pointers, out-of-range indices, a bad .params file and failures of
 * the runtime all come back as codes.
 *
 * Threads: q_model_run and the queries may be called concurrently on one
 * model from any number of threads. q_model_create and q_model_destroy must
 * not overlap other calls on the same model.
 *
 * Versioning: Q_MODEL_API_VERSION changes when a signature or a struct
 * layout changes or functions are added; q_model_api_version() tells the
 * version a library was built with (check it after dlopen; a library of
 * an older version lacks the functions added since, see the #define).
 *
 *===----------------------------------------------------------------------===*/

#ifndef Q_MODEL_H
#define Q_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define Q_MODEL_EXPORT __attribute__((visibility("default")))
#else
#define Q_MODEL_EXPORT
#endif

/* 2 added q_model_input_layout, q_layout_name and q_model_info. */
#define Q_MODEL_API_VERSION 2

/* Largest rank of a model input or output. */
#define Q_MAX_RANK 8

typedef enum q_status {
  Q_OK = 0,
  Q_ERR_INVALID_ARGUMENT = 1, /* null pointer, bad index, wrong size, ... */
  Q_ERR_IO = 2,               /* a file could not be opened or read */
  Q_ERR_FORMAT = 3,           /* malformed .params file or manifest */
  Q_ERR_MISMATCH = 4,         /* .params lacks a weight or has a wrong one */
  Q_ERR_RUNTIME = 5,          /* the runtime (oneDNN, kernels) failed */
  Q_ERR_OUT_OF_MEMORY = 6,
  Q_ERR_UNSUPPORTED = 7, /* valid, but not supported by this library */
  Q_ERR_INTERNAL = 8
} q_status;

/* Element types; the values match qrt_dtype (include/qrt/qrt.h). */
typedef enum q_dtype {
  Q_DTYPE_F32 = 0,
  Q_DTYPE_S8 = 1,
  Q_DTYPE_U8 = 2,
  Q_DTYPE_S32 = 3
} q_dtype;

/* Memory layout of an input buffer. NCHW is the graph's own layout (for
 * inputs that are not images: the dims as the query functions report
 * them); NHWC inputs are 4-D images [N, H, W, C] (channels last), which a
 * model compiled with q-compile --input-type=NAME:u8,nhwc takes. The dims
 * queries always describe the buffer as laid out. */
typedef enum q_layout { Q_LAYOUT_NCHW = 0, Q_LAYOUT_NHWC = 1 } q_layout;

typedef struct q_model q_model;

/* Options of q_model_create. Initialise with q_model_options_init(), then
 * set fields; struct_size lets later versions add fields compatibly. */
typedef struct q_model_options {
  uint32_t struct_size; /* sizeof(q_model_options) */
  int32_t num_threads;  /* threads per run; 0 = the model's default */
  /* NULL: use the weights embedded in the library. Otherwise an MXNet
   * .params file (checkpoint or Gluon) holding every weight of the model by
   * name (an "arg:"/"aux:" prefix is ignored), with the dtype and shape the
   * model was compiled for; other arrays in the file are ignored. */
  const char *params_path;
} q_model_options;

/* Version this library was built with (Q_MODEL_API_VERSION). */
Q_MODEL_EXPORT int32_t q_model_api_version(void);

/* Message of the last failed call on the calling thread, "" after a call
 * that succeeded. Valid until the next q_ call on this thread. */
Q_MODEL_EXPORT const char *q_last_error(void);

/* "OK", "INVALID_ARGUMENT", ...; "UNKNOWN" for other values. */
Q_MODEL_EXPORT const char *q_status_name(q_status status);

/* "f32", "s8", "u8", "s32"; NULL for other values. */
Q_MODEL_EXPORT const char *q_dtype_name(q_dtype dtype);
/* "nchw", "nhwc"; NULL for other values. */
Q_MODEL_EXPORT const char *q_layout_name(q_layout layout);
/* Bytes per element; 0 for other values. */
Q_MODEL_EXPORT size_t q_dtype_size(q_dtype dtype);

/* Zeroes *opts and sets struct_size. NULL is a no-op. */
Q_MODEL_EXPORT void q_model_options_init(q_model_options *opts);

/*===----------------------------------------------------------------------===
 * Lifetime
 *===----------------------------------------------------------------------===*/

/* Loads the weights, prepares every op and sets *out (NULL on failure).
 * opts may be NULL: embedded weights, default threads. */
Q_MODEL_EXPORT q_status q_model_create(q_model **out,
                                       const q_model_options *opts);
/* Frees the model and all its run contexts; NULL is a no-op. */
Q_MODEL_EXPORT void q_model_destroy(q_model *model);

/*===----------------------------------------------------------------------===
 * Queries. Output pointers must be non-NULL; indices are checked. Strings
 * live as long as the model.
 *===----------------------------------------------------------------------===*/

/* The name the model was compiled under. */
Q_MODEL_EXPORT q_status q_model_name(const q_model *model, const char **name);
Q_MODEL_EXPORT q_status q_model_num_inputs(const q_model *model,
                                           int32_t *count);

/* How the model was compiled and what it picked when it loaded, by key
 * (values are strings; "unknown" where a library compiled by an older q did
 * not record it):
 *   "q_version"      the q that compiled it
 *   "dtype"          arithmetic of its conv/fc layers: float32, int8, mixed
 *   "backend"        who runs them: onednn, loops (kernels q generated),
 *                    mixed (both, e.g. q-compile --backend=auto)
 *   "loops_layers", "onednn_layers"   how many layers each runs
 *   "kernel_isas"    the generated kernels' variants, best first
 *                    ("avx512vnni,avxvnni,avx2,generic"), "" without any
 *   "isa"            the variant picked by cpuid at load, "none" without
 *                    generated kernels
 *   "onednn_isa"     the instruction set oneDNN's JIT uses here
 * Q_ERR_INVALID_ARGUMENT (listing the keys) for any other key.
 * (API version 2: a version 1 library lacks the symbol, so resolve it
 * with dlsym and treat NULL as "nothing recorded".) */
Q_MODEL_EXPORT q_status q_model_info(const q_model *model, const char *key,
                                     const char **value);
Q_MODEL_EXPORT q_status q_model_num_outputs(const q_model *model,
                                            int32_t *count);

/* Index of the input / output called `name`; Q_ERR_INVALID_ARGUMENT if
 * there is none. */
Q_MODEL_EXPORT q_status q_model_find_input(const q_model *model,
                                           const char *name, int32_t *index);
Q_MODEL_EXPORT q_status q_model_find_output(const q_model *model,
                                            const char *name, int32_t *index);

Q_MODEL_EXPORT q_status q_model_input_name(const q_model *model, int32_t index,
                                           const char **name);
Q_MODEL_EXPORT q_status q_model_input_dtype(const q_model *model, int32_t index,
                                            q_dtype *dtype);
/* The layout of input `index`: Q_LAYOUT_NHWC for raw image inputs
 * compiled as NHWC, Q_LAYOUT_NCHW otherwise. (API version 2.) */
Q_MODEL_EXPORT q_status q_model_input_layout(const q_model *model,
                                             int32_t index, q_layout *layout);
Q_MODEL_EXPORT q_status q_model_input_rank(const q_model *model, int32_t index,
                                           int32_t *rank);
/* Writes the rank dims into dims[0..rank); capacity is the length of dims
 * (Q_ERR_INVALID_ARGUMENT if smaller than the rank; Q_MAX_RANK is enough). */
Q_MODEL_EXPORT q_status q_model_input_dims(const q_model *model, int32_t index,
                                           int64_t *dims, int32_t capacity);
/* Product of the dims (1 for rank 0), and that times the dtype size. */
Q_MODEL_EXPORT q_status q_model_input_num_elements(const q_model *model,
                                                   int32_t index,
                                                   int64_t *count);
Q_MODEL_EXPORT q_status q_model_input_bytes(const q_model *model, int32_t index,
                                            size_t *bytes);

Q_MODEL_EXPORT q_status q_model_output_name(const q_model *model, int32_t index,
                                            const char **name);
Q_MODEL_EXPORT q_status q_model_output_dtype(const q_model *model,
                                             int32_t index, q_dtype *dtype);
Q_MODEL_EXPORT q_status q_model_output_rank(const q_model *model, int32_t index,
                                            int32_t *rank);
Q_MODEL_EXPORT q_status q_model_output_dims(const q_model *model, int32_t index,
                                            int64_t *dims, int32_t capacity);
Q_MODEL_EXPORT q_status q_model_output_num_elements(const q_model *model,
                                                    int32_t index,
                                                    int64_t *count);
Q_MODEL_EXPORT q_status q_model_output_bytes(const q_model *model,
                                             int32_t index, size_t *bytes);

/*===----------------------------------------------------------------------===
 * Inference
 *===----------------------------------------------------------------------===*/

/* One inference. inputs[i] points at input i (q_model_input_bytes bytes),
 * outputs[i] at room for output i; the arrays have num_inputs and
 * num_outputs entries. Outputs must not overlap inputs or each other.
 * Thread-safe: concurrent calls each get their own run context. */
Q_MODEL_EXPORT q_status q_model_run(q_model *model, const void *const *inputs,
                                    void *const *outputs);

/* q_model_run that first checks input_bytes[i] / output_bytes[i] (the sizes
 * of the caller's buffers) against the model: Q_ERR_INVALID_ARGUMENT,
 * naming the tensor and both sizes, on any mismatch. */
Q_MODEL_EXPORT q_status q_model_run_checked(q_model *model,
                                            const void *const *inputs,
                                            const size_t *input_bytes,
                                            void *const *outputs,
                                            const size_t *output_bytes);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* Q_MODEL_H */

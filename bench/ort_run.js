// ONNX Runtime side of bench/peers.sh (onnxruntime-node, installed by
// scripts/install-bench-deps.sh into bench/node_modules).
//
//   node bench/ort_run.js ranges PROBE.onnx CALIB.npy OUT.json
//       runs the probe model (bench/ort_qdq.py probe) image by image over
//       CALIB.npy ([K, C, H, W] f32) and writes {tensor: [min, max]};
//   node bench/ort_run.js bench MODEL.onnx INPUT.npy --threads=1,2
//       [--iters=N] [--warmup=W] [--save=OUT.npy]
//       one session per thread count (intra-op threads T, sequential
//       execution, all graph optimizations); prints, per count,
//       "ort_bench: N runs (batch B, threads T): min a ms, median b ms, max c ms"
//       and "ort_kernels: ..." (the op types left after ONNX Runtime's
//       fusions, from its optimized model), and with --save the output of
//       the first run.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY')
    throw new Error(file + ': not an .npy file');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(file + ': needs a C-order float32 array, header ' + header);
  const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1]
      .split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start,
                                                 buf.byteOffset + buf.length));
  return {shape, data};
}

function writeNpy(file, shape, data) {
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
      shape.join(', ') + (shape.length === 1 ? ',' : '') + '), }';
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([
    head, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

function option(args, name, fallback) {
  const hit = args.find((a) => a.startsWith('--' + name + '='));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function ranges(probePath, calibPath, outPath) {
  const session = await ort.InferenceSession.create(probePath, {
    intraOpNumThreads: os.cpus().length, graphOptimizationLevel: 'basic'});
  const calib = readNpy(calibPath);
  const per = calib.data.length / calib.shape[0];
  const result = {};
  for (let i = 0; i < calib.shape[0]; ++i) {
    const x = new ort.Tensor('float32', calib.data.subarray(i * per, (i + 1) * per),
                             [1, ...calib.shape.slice(1)]);
    const out = await session.run({[session.inputNames[0]]: x});
    for (const [name, t] of Object.entries(out)) {
      if (t.type !== 'float32') continue;
      let lo = Infinity, hi = -Infinity;
      for (const v of t.data) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const r = result[name] || [Infinity, -Infinity];
      result[name] = [Math.min(r[0], lo), Math.max(r[1], hi)];
    }
  }
  // The graph input itself.
  let lo = Infinity, hi = -Infinity;
  for (const v of calib.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  result[session.inputNames[0]] = [lo, hi];
  fs.writeFileSync(outPath, JSON.stringify(result));
  console.log('ranges: ' + Object.keys(result).length + ' tensors over ' +
              calib.shape[0] + ' images');
}

async function bench(modelPath, inputPath, args) {
  const threads = option(args, 'threads', '1').split(',').map(Number);
  const iters = Number(option(args, 'iters', '10'));
  const warmup = Number(option(args, 'warmup', '3'));
  const save = option(args, 'save', '');
  const input = readNpy(inputPath);
  for (const [k, t] of threads.entries()) {
    const optimized = path.join(os.tmpdir(), 'ort-opt-' + process.pid + '.onnx');
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: t, interOpNumThreads: 1, executionMode: 'sequential',
      graphOptimizationLevel: 'all', optimizedModelFilePath: optimized,
      logSeverityLevel: 3});
    const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape)};
    if (k === 0) {
      const kinds = {};
      const text = fs.readFileSync(optimized).toString('latin1');
      for (const op of ['QLinearConv', 'ConvInteger', 'QGemm', 'QLinearAdd', 'QLinearMatMul',
                        'QLinearGlobalAveragePool', 'QLinearAveragePool', 'FusedConv',
                        'NchwcConv', 'Conv', 'Gemm', 'QuantizeLinear', 'DequantizeLinear',
                        'ReorderInput', 'ReorderOutput'])
        // NodeProto.op_type is field 4: tag 0x22, then the length.
        kinds[op] = text.split('\x22' + String.fromCharCode(op.length) + op).length - 1;
      console.log('ort_kernels: ' + Object.entries(kinds).filter(([, n]) => n)
          .map(([op, n]) => op + ' ' + n).join(', '));
      if (save) {
        const out = await session.run(feeds);
        const y = out[session.outputNames[0]];
        writeNpy(save, y.dims, y.data);
      }
    }
    fs.rmSync(optimized, {force: true});
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < iters; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times.length % 2 ? times[(times.length - 1) / 2]
        : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    console.log('ort_bench: ' + iters + ' runs (batch ' + input.shape[0] + ', threads ' + t +
                '): min ' + times[0].toFixed(3) + ' ms, median ' + median.toFixed(3) +
                ' ms, max ' + times[times.length - 1].toFixed(3) + ' ms');
    await session.release();
  }
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'ranges' && args.length === 3)
    return ranges(...args);
  if (cmd === 'bench' && args.length >= 2)
    return bench(args[0], args[1], args.slice(2));
  console.error('usage: ort_run.js ranges PROBE.onnx CALIB.npy OUT.json | ' +
                'bench MODEL.onnx INPUT.npy [--threads=1,2] [--iters=N] [--warmup=W] ' +
                '[--save=OUT.npy]');
  process.exit(2);
}

main().catch((e) => {
  console.error('ort_run.js: ' + e.message);
  process.exit(1);
});

// Scores a classifier in ONNX Runtime (onnxruntime-node) on an evaluation set written by
// trex_dump_eval_set, and compares with the trex runtime's logits for the same model and
// inputs: top-1 of both, how often their predictions agree, the largest logit difference.
// usage: node ort_eval.js MODEL.onnx EVAL_DIR [--threads N]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function readNpy(file) {  // little-endian, C order: <f4 or <i8
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const descr = header.match(/'descr': '([^']*)'/)[1];
  const body = buf.buffer.slice(buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length);
  if (descr === '<f4') return {shape, data: new Float32Array(body)};
  if (descr === '<i8') return {shape, data: new BigInt64Array(body)};
  throw new Error(`${file}: unsupported dtype ${descr}`);
}

const argmax = (a, off, n) => {
  let best = 0;
  for (let i = 1; i < n; ++i) if (a[off + i] > a[off + best]) best = i;
  return best;
};

(async () => {
  const [model, dir] = process.argv.slice(2);
  const ti = process.argv.indexOf('--threads');
  const threads = ti > 0 ? Number(process.argv[ti + 1]) : 2;
  const x = readNpy(path.join(dir, 'inputs.npy'));
  const labels = readNpy(path.join(dir, 'labels.npy'));
  const trex = readNpy(path.join(dir, 'trex_logits.npy'));
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: threads,
                                                           graphOptimizationLevel: 'all'});
  const [n, c, h, w] = x.shape;
  const classes = trex.shape[1];
  const per = c * h * w, batch = 100;
  let ortCorrect = 0, trexCorrect = 0, agree = 0, maxDiff = 0;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const feed = new ort.Tensor('float32', x.data.subarray(s * per, (s + m) * per), [m, c, h, w]);
    const out = await session.run({[session.inputNames[0]]: feed});
    const y = out[session.outputNames[0]].data;
    for (let i = 0; i < m; ++i) {
      const label = Number(labels.data[s + i]);
      const po = argmax(y, i * classes, classes), pt = argmax(trex.data, (s + i) * classes, classes);
      ortCorrect += po === label;
      trexCorrect += pt === label;
      agree += po === pt;
      for (let k = 0; k < classes; ++k)
        maxDiff = Math.max(maxDiff, Math.abs(y[i * classes + k] - trex.data[(s + i) * classes + k]));
    }
  }
  console.log(JSON.stringify({model, samples: n, ort_top1: ortCorrect / n, trex_top1: trexCorrect / n,
                              difference_pt: 100 * (ortCorrect - trexCorrect) / n,
                              prediction_agreement: agree / n, max_logit_diff: maxDiff}));
})().catch((e) => { console.error(`ort_eval: ${e.message}`); process.exit(2); });

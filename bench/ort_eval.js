// Runs a model in ONNX Runtime (onnxruntime-node) on an evaluation set written by
// trex_dump_eval_set and compares with the trex runtime's outputs for the same model and
// inputs. Classifiers ([N, C] outputs): top-1 of both, how often their predictions agree.
// Segmenters ([N, C, H, W] outputs): mDice and mIoU of both (classes with pixels in the
// target or the prediction; 255 = ignore), how many pixels get the same class. Both: the
// largest output difference.
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

// The class with the highest score among `n` scores `stride` apart from `off`; the first on ties.
const argmax = (a, off, n, stride = 1) => {
  let best = 0;
  for (let i = 1; i < n; ++i) if (a[off + i * stride] > a[off + best * stride]) best = i;
  return best;
};

// mDice and mIoU from a k x k confusion matrix (rows: target), over the classes with pixels.
function segScores(conf, k) {
  let dice = 0, iou = 0, defined = 0;
  for (let c = 0; c < k; ++c) {
    let tp = conf[c * k + c], fp = 0, fn = 0;
    for (let o = 0; o < k; ++o) if (o !== c) { fn += conf[c * k + o]; fp += conf[o * k + c]; }
    if (tp + fp + fn === 0) continue;
    dice += 2 * tp / (2 * tp + fp + fn);
    iou += tp / (tp + fp + fn);
    ++defined;
  }
  return {mdice: dice / defined, miou: iou / defined};
}

(async () => {
  const [model, dir] = process.argv.slice(2);
  const ti = process.argv.indexOf('--threads');
  const threads = ti > 0 ? Number(process.argv[ti + 1]) : 2;
  const x = readNpy(path.join(dir, 'inputs.npy'));
  const trex = readNpy(path.join(dir, 'trex_outputs.npy'));
  const seg = trex.shape.length === 4;
  const targets = readNpy(path.join(dir, seg ? 'masks.npy' : 'labels.npy'));
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: threads,
                                                           graphOptimizationLevel: 'all'});
  const [n, c, h, w] = x.shape;
  const classes = trex.shape[1];
  const plane = seg ? trex.shape[2] * trex.shape[3] : 1;
  const perOut = classes * plane, per = c * h * w, batch = seg ? 10 : 100;
  const confOrt = new Float64Array(classes * classes), confTrex = new Float64Array(classes * classes);
  let ortCorrect = 0, trexCorrect = 0, agree = 0, counted = 0, maxDiff = 0;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const feed = new ort.Tensor('float32', x.data.subarray(s * per, (s + m) * per), [m, c, h, w]);
    const out = await session.run({[session.inputNames[0]]: feed});
    const y = out[session.outputNames[0]].data;
    for (let i = 0; i < m; ++i) {
      for (let p = 0; p < plane; ++p) {
        const po = argmax(y, i * perOut + p, classes, plane);
        const pt = argmax(trex.data, (s + i) * perOut + p, classes, plane);
        agree += po === pt;
        ++counted;
        const label = Number(targets.data[(s + i) * plane + p]);
        if (seg) {
          if (label === 255) continue;
          confOrt[label * classes + po] += 1;
          confTrex[label * classes + pt] += 1;
        } else {
          ortCorrect += po === label;
          trexCorrect += pt === label;
        }
      }
      for (let k = 0; k < perOut; ++k)
        maxDiff = Math.max(maxDiff, Math.abs(y[i * perOut + k] - trex.data[(s + i) * perOut + k]));
    }
  }
  if (seg) {
    const o = segScores(confOrt, classes), t = segScores(confTrex, classes);
    console.log(JSON.stringify({model, samples: n, ort_mdice: o.mdice, trex_mdice: t.mdice,
                                ort_miou: o.miou, trex_miou: t.miou,
                                difference_pt: 100 * (o.mdice - t.mdice),
                                pixel_agreement: agree / counted, max_output_diff: maxDiff}));
  } else {
    console.log(JSON.stringify({model, samples: n, ort_top1: ortCorrect / n, trex_top1: trexCorrect / n,
                                difference_pt: 100 * (ortCorrect - trexCorrect) / n,
                                prediction_agreement: agree / n, max_logit_diff: maxDiff}));
  }
})().catch((e) => { console.error(`ort_eval: ${e.message}`); process.exit(2); });

// Times a model in ONNX Runtime (onnxruntime-node) the way `trex benchmark --json` times it
// in trex: seeded random inputs (leading dynamic dim = --batch), warm-up runs, then the
// median and p90 of timed runs. Prints one JSON object.
// usage: node ort_bench.js MODEL --threads N --iterations K [--warmup W] [--batch B]
'use strict';
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function rng(seed) {  // small deterministic generator: same inputs every run
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 * 2 - 1;
  };
}

(async () => {
  const model = process.argv[2];
  const threads = arg('--threads', 1), iterations = arg('--iterations', 50);
  const warmup = arg('--warmup', 5), batch = arg('--batch', 1);
  const rssBefore = process.memoryUsage().rss;
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all'});
  const feeds = {};
  const next = rng(1);
  for (const name of session.inputNames) {
    const meta = session.inputMetadata ? session.inputMetadata.find((m) => m.name === name) : null;
    let dims = meta && meta.shape ? meta.shape.map((d, i) => (typeof d === 'number' ? d : (i === 0 ? batch : NaN))) : null;
    if (!dims || dims.some((d) => Number.isNaN(d))) throw new Error(`input ${name}: cannot tell its shape`);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; ++i) data[i] = next();
    feeds[name] = new ort.Tensor('float32', data, dims);
  }
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const ms = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i < iterations; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    const t1 = process.hrtime.bigint();
    ms.push(Number(t1 - t0) / 1e6);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  ms.sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  const p90 = ms[Math.min(ms.length - 1, Math.floor(0.9 * ms.length))];
  console.log(JSON.stringify({model, threads, batch, iterations, median_ms: median, p90_ms: p90,
                              min_ms: ms[0], throughput: batch * 1000 / median,
                              peak_rss_mb: peak / 1048576, rss_before_model_mb: rssBefore / 1048576}));
})().catch((e) => { console.error(`ort_bench: ${e.message}`); process.exit(2); });

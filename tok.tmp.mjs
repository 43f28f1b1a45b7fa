const mb = (x) => (x/1048576).toFixed(1);
const show = (label) => { const m = process.memoryUsage(); console.log(label, 'rss', mb(m.rss), 'heapUsed', mb(m.heapUsed), 'heapTotal', mb(m.heapTotal)); };
const t = await import('gpt-tokenizer/encoding/o200k_base');
t.countTokens('hello world, this is a test of the tokenizer');
global.gc(); global.gc();
await new Promise(r => setTimeout(r, 3000)); global.gc();
show(process.env.LABEL);

// Times compiling and rendering one template with handlebars.js; prints one JSON line and, with
// OUTPUT, writes the rendered text there (to compare with Loopseal's byte for byte).
// usage: NODE_PATH=/usr/share/nodejs node handlebars_bench.js TEMPLATE DATA.json PARTIALS_DIR RENDERS [OUTPUT]
const fs = require('fs');
const path = require('path');
const Handlebars = require('handlebars');
const [template, dataFile, partialsDir, rendersText, outputFile] = process.argv.slice(2);
const renders = Number(rendersText);
const source = fs.readFileSync(template, 'utf8');
const data = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
const hb = Handlebars.create();
for (const file of fs.readdirSync(partialsDir)) {
  if (file.endsWith('.md')) hb.registerPartial(path.basename(file, '.md'), fs.readFileSync(path.join(partialsDir, file), 'utf8'));
}
const now = () => Number(process.hrtime.bigint()) / 1e9;
// Handlebars compiles lazily on first call: a compile is measured as compile + first render of a tiny context.
const compiles = 200;
let start = now();
for (let i = 0; i < compiles; i++) { Handlebars.precompile(source); }
const compileTime = (now() - start) / compiles;
const compiled = hb.compile(source);
let output = '';
for (let i = 0; i < Math.max(3, renders / 10); i++) output = compiled(data);
start = now();
for (let i = 0; i < renders; i++) output = compiled(data);
const renderTime = (now() - start) / renders;
if (outputFile) fs.writeFileSync(outputFile, output);
console.log(JSON.stringify({ compile_us: compileTime * 1e6, render_us: renderTime * 1e6, bytes: Buffer.byteLength(output) }));

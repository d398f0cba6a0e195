// The node + handlebars.js side of the whole-process render: what `loopseal render TEMPLATE --data
// DATA.json --partials DIR` does, in one node process (read, parse the JSON, compile, render, write).
// usage: NODE_PATH=/usr/share/nodejs node handlebars_render.js TEMPLATE DATA.json PARTIALS_DIR > OUTPUT
const fs = require('fs');
const path = require('path');
const Handlebars = require('handlebars');
const [template, dataFile, partialsDir] = process.argv.slice(2);
const hb = Handlebars.create();
for (const file of fs.readdirSync(partialsDir)) {
  if (file.endsWith('.md')) hb.registerPartial(path.basename(file, '.md'), fs.readFileSync(path.join(partialsDir, file), 'utf8'));
}
const data = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
process.stdout.write(hb.compile(fs.readFileSync(template, 'utf8'))(data));

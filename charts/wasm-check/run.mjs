// Instantiates the check module with every import stubbed to throw, then calls render()
// (must succeed) and control() (must throw). Exit code 0 when both behave.
import { readFileSync } from 'node:fs';
const module = await WebAssembly.compile(readFileSync(process.argv[2]));
const imports = {};
for (const imp of WebAssembly.Module.imports(module)) {
  imports[imp.module] ??= {};
  if (imp.kind === 'function') {
    imports[imp.module][imp.name] = () => {
      throw new Error(`JS/DOM import called: ${imp.module}.${imp.name}`);
    };
  }
}
const { exports } = await WebAssembly.instantiate(module, imports);
let ok = true;
try {
  const bytes = exports.render();
  console.log(`render: ${bytes} bytes of SVG, no DOM needed`);
  if (!(bytes > 10000)) { ok = false; console.log('render: too little output'); }
} catch (e) {
  ok = false;
  console.log(`render FAILED: ${e.message}`);
}
try {
  exports.control();
  ok = false;
  console.log('control: plotters measured text without the DOM?! the stubs caught nothing');
} catch (e) {
  console.log(`control: plotters' own measurement needs the DOM, as expected (${e.message})`);
}
process.exit(ok ? 0 : 1);

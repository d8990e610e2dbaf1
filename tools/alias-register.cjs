// Resolves the workspace path aliases (@app/<lib>) for code compiled into dist/ by swc, the way
// tsconfig.base.json "paths" does for the type checker and jest's moduleNameMapper does in tests.
const Module = require('node:module');
const path = require('node:path');

const distRoot = path.resolve(__dirname, '..', 'dist');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, parent, isMain, options) {
  if (request.startsWith('@app/')) {
    const lib = request.slice(5);
    if (/^[a-z0-9-]+$/.test(lib)) {
      return original.call(this, path.join(distRoot, 'libs', lib, 'src', 'index.js'), parent, isMain, options);
    }
  }
  return original.call(this, request, parent, isMain, options);
};

// Every name the console's script uses is declared by one of its modules or the browser: the modules
// share one scope, so a helper removed from one module (the old command forms' int() and required(),
// dropped when the forms came to be generated) breaks another only when its code runs. TypeScript's
// checker reads the assembled script as JavaScript against the DOM's declarations and says which
// names it cannot find, before a browser does.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCRIPT } from './index';

/** The names TypeScript cannot find in the script (diagnostic 2304 and its "did you mean" twin 2552). */
function unresolvedNames(script: string): string[] {
  const file = 'console.js';
  const options: ts.CompilerOptions = { allowJs: true, checkJs: true, noEmit: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? script : readFile(name));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(file, script, version) : getSourceFile(name, version));
  host.fileExists = ((exists) => (name: string) => name === file || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([file], options, host);
  return program
    .getSemanticDiagnostics(program.getSourceFile(file))
    .filter((d) => d.code === 2304 || d.code === 2552)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the console script', () => {
  it('uses no name that no module declares (a helper one module dropped and another still calls)', () => {
    expect(unresolvedNames(CONSOLE_SCRIPT)).toEqual([]);
    // The check can fail: a call of an undeclared helper is found.
    expect(unresolvedNames(CONSOLE_SCRIPT.replace("'use strict';", "'use strict';\n  notDeclaredAnywhere(1);"))).toEqual([
      "Cannot find name 'notDeclaredAnywhere'.",
    ]);
    // Two full type-checks of the script: about 3 s on an idle machine, more with other tests running.
  }, 60_000);
});

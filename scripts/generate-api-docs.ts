/**
 * Writes docs/reference/api.md from the JSDoc of every export of src/index.ts, so the API reference
 * cannot drift from the code. `npm run docs:api`; CI checks the committed file is current.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const entry = join(root, 'src', 'index.ts');

function main(): void {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    strict: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error('src/index.ts not found');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('src/index.ts is not a module');
  const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
  const sections = exports.map((symbol) => section(checker, symbol));
  const header =
    '# API reference\n\nGenerated from the JSDoc of `src/index.ts` by `npm run docs:api`; do not edit by hand.\n';
  writeFileSync(join(root, 'docs', 'reference', 'api.md'), `${header}\n${sections.join('\n')}`);
}

function section(checker: ts.TypeChecker, exported: ts.Symbol): string {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const declaration = symbol.declarations?.[0];
  const kind = declaration === undefined ? 'value' : kindOf(declaration);
  const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tags = symbol
    .getJsDocTags(checker)
    .filter((t) => t.name === 'example')
    .map((t) => ts.displayPartsToString(t.text).trim());
  const signature = declaration === undefined ? '' : signatureOf(checker, symbol, declaration);
  const parts = [
    `## \`${exported.name}\` (${kind})`,
    signature === '' ? '' : `\`\`\`ts\n${signature}\n\`\`\``,
    docs,
    ...tags.map((e) => `Example:\n\n${e}`),
  ];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

function kindOf(node: ts.Declaration): string {
  if (ts.isClassDeclaration(node)) return 'class';
  if (ts.isInterfaceDeclaration(node)) return 'interface';
  if (ts.isTypeAliasDeclaration(node)) return 'type';
  if (ts.isFunctionDeclaration(node)) return 'function';
  return 'constant';
}

function signatureOf(checker: ts.TypeChecker, symbol: ts.Symbol, node: ts.Declaration): string {
  if (ts.isFunctionDeclaration(node)) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, node);
    return type
      .getCallSignatures()
      .map((s) => `function ${symbol.name}${checker.signatureToString(s)}`)
      .join('\n');
  }
  if (ts.isClassDeclaration(node)) {
    const heritage = node.heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
    return `class ${symbol.name}${heritage === '' ? '' : ` ${heritage}`}`;
  }
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) {
    const text = node.getText().replace(/\/\*\*[\s\S]*?\*\/\s*/g, '');
    return text.length > 1500 ? `${text.slice(0, 1500)} …` : text;
  }
  return `const ${symbol.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, node))}`;
}

main();

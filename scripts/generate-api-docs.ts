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
  const program = ts.createProgram([entry], compilerOptions());
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error('src/index.ts not found');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('src/index.ts is not a module');
  const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
  const printer: Printer = { checker, renames: renamesOf(checker, exports) };
  const sections = exports.map((symbol) => section(printer, symbol));
  const header =
    '# API reference\n\nGenerated from the JSDoc of `src/index.ts` by `npm run docs:api`; do not edit by hand.\n';
  writeFileSync(join(root, 'docs', 'reference', 'api.md'), `${header}\n${sections.join('\n')}`);
}

/**
 * The options of tsconfig.build.json (the ones the published declarations are built with), so that
 * imports such as `typeorm` resolve as they do in a build; otherwise their types print as `any`.
 */
function compilerOptions(): ts.CompilerOptions {
  const file = join(root, 'tsconfig.build.json');
  const read = ts.readConfigFile(file, (path) => ts.sys.readFile(path));
  if (read.error !== undefined)
    throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
  if (parsed.errors.length > 0) {
    throw new Error(
      parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'),
    );
  }
  return parsed.options;
}

/** The checker, and the declarations exported under another name (`export { A as B }`): A prints as B. */
interface Printer {
  checker: ts.TypeChecker;
  renames: Map<ts.Symbol, string>;
}

function renamesOf(checker: ts.TypeChecker, exports: readonly ts.Symbol[]): Map<ts.Symbol, string> {
  const renames = new Map<ts.Symbol, string>();
  for (const exported of exports) {
    if ((exported.flags & ts.SymbolFlags.Alias) === 0) continue;
    const target = checker.getAliasedSymbol(exported);
    if (target.name !== exported.name) renames.set(target, exported.name);
  }
  return renames;
}

function section(printer: Printer, exported: ts.Symbol): string {
  const { checker } = printer;
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const declaration = symbol.declarations?.[0];
  const kind = declaration === undefined ? 'value' : kindOf(declaration);
  const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const examples = declaration === undefined ? [] : examplesOf(declaration);
  const signature = declaration === undefined ? '' : signatureOf(printer, symbol, declaration);
  const parts = [
    `## \`${exported.name}\` (${kind})`,
    signature === '' ? '' : `\`\`\`ts\n${signature}\n\`\`\``,
    docs,
    ...examples.map((e) => `Example:\n\n${e}`),
  ];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

/**
 * The `@example` blocks of a declaration's JSDoc, read from the comment's text: TypeScript's own tag
 * parser would end an example at a decorator (`@Entity()`) inside its code fence.
 */
function examplesOf(declaration: ts.Declaration): string[] {
  const jsDoc = ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc).at(-1);
  if (jsDoc === undefined) return [];
  const lines = jsDoc
    .getText()
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''));
  const examples: string[][] = [];
  let current: string[] | undefined;
  let inFence = false;
  for (const line of lines) {
    if (!inFence && /^\s*@\w/.test(line)) {
      current = /^\s*@example\b/.test(line) ? [line.replace(/^\s*@example\s?/, '')] : undefined;
      if (current !== undefined) examples.push(current);
      continue;
    }
    if (/^\s*```/.test(line)) inFence = !inFence;
    current?.push(line);
  }
  return examples.map((e) => e.join('\n').trim()).filter((e) => e !== '');
}

function kindOf(node: ts.Declaration): string {
  if (ts.isClassDeclaration(node)) return 'class';
  if (ts.isInterfaceDeclaration(node)) return 'interface';
  if (ts.isTypeAliasDeclaration(node)) return 'type';
  if (ts.isFunctionDeclaration(node)) return 'function';
  return 'constant';
}

function signatureOf(printer: Printer, symbol: ts.Symbol, node: ts.Declaration): string {
  const { checker } = printer;
  if (ts.isFunctionDeclaration(node)) {
    const declarations = (symbol.declarations ?? []).filter(ts.isFunctionDeclaration);
    const overloads = declarations.filter((d) => d.body === undefined);
    return (overloads.length > 0 ? overloads : declarations)
      .map((d) => functionSignature(printer, symbol.name, d))
      .join('\n');
  }
  if (ts.isClassDeclaration(node)) {
    const heritage = node.heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
    return `class ${symbol.name}${heritage === '' ? '' : ` ${heritage}`}`;
  }
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) {
    const text = sourceText(printer, node).replace(/\/\*\*[\s\S]*?\*\/\s*/g, '');
    return text.length > 1500 ? `${text.slice(0, 1500)} …` : text;
  }
  return `const ${symbol.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, node))}`;
}

/**
 * A function's signature: type parameters and parameter types as declared in the source (the checker
 * would print a widened type, e.g. `DataSource | null | undefined` for an optional `DataSource | null`;
 * only a missing annotation is printed from it); the return type from the checker, which names it by
 * its exported alias (`DialectName`, not the internal `SynchroDialect['name']`).
 */
function functionSignature(printer: Printer, name: string, node: ts.FunctionDeclaration): string {
  const { checker } = printer;
  const typeParameters =
    node.typeParameters === undefined
      ? ''
      : `<${node.typeParameters.map((t) => sourceText(printer, t)).join(', ')}>`;
  const parameters = node.parameters.map((p) => {
    const optional = p.questionToken !== undefined || p.initializer !== undefined ? '?' : '';
    const type =
      p.type === undefined
        ? checker.typeToString(checker.getTypeAtLocation(p))
        : oneLine(sourceText(printer, p.type));
    return `${p.dotDotDotToken === undefined ? '' : '...'}${p.name.getText()}${optional}: ${type}`;
  });
  const signature = checker.getSignatureFromDeclaration(node);
  const returnType = signature === undefined ? 'unknown' : checker.typeToString(signature.getReturnType());
  return `function ${name}${typeParameters}(${parameters.join(', ')}): ${returnType}`;
}

/** A node's source text, with names exported under another name (see {@link Printer}) replaced. */
function sourceText(printer: Printer, node: ts.Node): string {
  const start = node.getStart();
  const replaced: { from: number; to: number; name: string }[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isIdentifier(child)) {
      const found = printer.checker.getSymbolAtLocation(child);
      const target =
        found !== undefined && found.flags & ts.SymbolFlags.Alias
          ? printer.checker.getAliasedSymbol(found)
          : found;
      const name = target === undefined ? undefined : printer.renames.get(target);
      if (name !== undefined) replaced.push({ from: child.getStart() - start, to: child.end - start, name });
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  let text = node.getText();
  for (const r of replaced.reverse()) text = `${text.slice(0, r.from)}${r.name}${text.slice(r.to)}`;
  return text;
}

/** A type written over several lines, on one (comments dropped). */
function oneLine(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+/g, ' ');
}

main();

// Tokenizes sample .kf lines with the grammar in syntaxes/kf.tmLanguage.json through
// vscode-textmate and the Oniguruma regex engine that VS Code uses, and checks the scope of each
// token kind. Run with `node --test test/` from editors/vscode after `npm ci`.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, before } = require('node:test');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const root = path.join(__dirname, '..');
let grammar;

before(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.kf') return null;
      const file = path.join(root, 'syntaxes', 'kf.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  grammar = await registry.loadGrammar('source.kf');
});

// Returns [text, scopes] for every token of `lines`, the rule stack carried from line to line.
function tokenize(...lines) {
  let stack = textmate.INITIAL;
  const tokens = [];
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      tokens.push([line.substring(token.startIndex, token.endIndex), token.scopes]);
    }
    stack = result.ruleStack;
  }
  return tokens;
}

// Asserts that the first token whose text is `text` has `scope` as its innermost scope.
function assertScope(tokens, text, scope) {
  const token = tokens.find(([tokenText]) => tokenText === text);
  assert.ok(token, `no token ${JSON.stringify(text)} in ${JSON.stringify(tokens)}`);
  assert.equal(token[1][token[1].length - 1], scope, `scopes of ${JSON.stringify(text)}`);
}

test('keywords', () => {
  const tokens = tokenize('for x in items { if not a and b or c { return y } else { } }');
  assertScope(tokens, 'for', 'keyword.control.kf');
  assertScope(tokens, 'in', 'keyword.control.kf');
  assertScope(tokens, 'if', 'keyword.control.kf');
  assertScope(tokens, 'return', 'keyword.control.kf');
  assertScope(tokens, 'else', 'keyword.control.kf');
  assertScope(tokens, 'not', 'keyword.operator.logical.kf');
  assertScope(tokens, 'and', 'keyword.operator.logical.kf');
  assertScope(tokens, 'or', 'keyword.operator.logical.kf');
  const more = tokenize('try { a = b() } finally { c() }');
  assertScope(more, 'try', 'keyword.control.kf');
  assertScope(more, 'finally', 'keyword.control.kf');
});

test('keyword used as argument name', () => {
  const tokens = tokenize('if_present(x, then = [a], else = [b])');
  assertScope(tokens, 'if_present', 'support.function.builtin.kf');
  const elseToken = tokens.find(([text]) => text.includes('else'));
  assert.ok(!elseToken[1].includes('keyword.control.kf'), JSON.stringify(elseToken));
});

test('declarations and imports', () => {
  const tokens = tokenize(
    'import "lib.kf"', 'component train(a: int) -> Model {', 'artifact Tabular {',
    'pipeline hello() {');
  assertScope(tokens, 'import', 'keyword.control.import.kf');
  assertScope(tokens, 'component', 'storage.type.component.kf');
  assertScope(tokens, 'train', 'entity.name.function.kf');
  assertScope(tokens, 'artifact', 'storage.type.artifact.kf');
  assertScope(tokens, 'Tabular', 'entity.name.type.kf');
  assertScope(tokens, 'pipeline', 'storage.type.pipeline.kf');
  assertScope(tokens, 'hello', 'entity.name.function.kf');
});

test('types', () => {
  const tokens = tokenize('component c(a: string, b: list<float>, c: dict, d: Dataset, e: bool?)');
  assertScope(tokens, 'string', 'support.type.primitive.kf');
  assertScope(tokens, 'list', 'support.type.primitive.kf');
  assertScope(tokens, 'float', 'support.type.primitive.kf');
  assertScope(tokens, 'dict', 'support.type.primitive.kf');
  assertScope(tokens, 'bool', 'support.type.primitive.kf');
  assertScope(tokens, 'Dataset', 'support.type.artifact.kf');
  assertScope(tokens, '?', 'keyword.operator.optional.kf');
});

test('strings with escapes and interpolation', () => {
  const tokens = tokenize('x = "a\\n\\"b\\u{1F600} {epochs}-{train.model} \\{ \\q }"');
  assertScope(tokens, '"', 'punctuation.definition.string.begin.kf');
  assertScope(tokens, 'a', 'string.quoted.double.kf');
  assertScope(tokens, '\\n', 'constant.character.escape.kf');
  assertScope(tokens, '\\"', 'constant.character.escape.kf');
  assertScope(tokens, '\\u{1F600}', 'constant.character.escape.kf');
  assertScope(tokens, '\\{', 'constant.character.escape.kf');
  assertScope(tokens, '\\q', 'invalid.illegal.escape.kf');
  assertScope(tokens, '{', 'punctuation.section.interpolation.begin.kf');
  assertScope(tokens, 'epochs', 'variable.other.kf');
  assertScope(tokens, '.model', 'variable.other.member.kf');
  assertScope(tokens, '}', 'punctuation.section.interpolation.end.kf');
  const stray = tokenize('"a } b"');
  assertScope(stray, '}', 'invalid.illegal.brace.kf');
});

test('raw strings span lines and hold no escapes', () => {
  const tokens = tokenize(
    'python = """', 'def f(a: "x") -> str:', '    return "\\n{a}"', '"""', 'x = 1');
  assertScope(tokens, '"""', 'punctuation.definition.string.begin.kf');
  assertScope(tokens, '    return "\\n{a}"', 'string.quoted.triple.kf');
  assertScope(tokens, '1', 'constant.numeric.integer.kf');
  const hashed = tokenize('python = #"""', '    """docstring"""', '"""#', 'y = 2');
  assertScope(hashed, '#"""', 'punctuation.definition.string.begin.kf');
  assertScope(hashed, '    """docstring"""', 'string.quoted.triple.hashed.kf');
  assertScope(hashed, '"""#', 'punctuation.definition.string.end.kf');
  assertScope(hashed, '2', 'constant.numeric.integer.kf');
});

test('numbers and constants', () => {
  const tokens = tokenize(
    'f(a = 10, b = -3, c = 0.001, d = 1e-3, e = -2.5, f = true, g = false, h = none)');
  assertScope(tokens, '10', 'constant.numeric.integer.kf');
  assertScope(tokens, '-3', 'constant.numeric.integer.kf');
  assertScope(tokens, '0.001', 'constant.numeric.float.kf');
  assertScope(tokens, '1e-3', 'constant.numeric.float.kf');
  assertScope(tokens, '-2.5', 'constant.numeric.float.kf');
  assertScope(tokens, 'true', 'constant.language.boolean.kf');
  assertScope(tokens, 'false', 'constant.language.boolean.kf');
  assertScope(tokens, 'none', 'constant.language.none.kf');
});

test('comments and doc comments', () => {
  const tokens = tokenize('/// Trains a CNN.', 'x = 1 // the "count" {x}');
  assertScope(tokens, '///', 'punctuation.definition.comment.kf');
  assertScope(tokens, ' Trains a CNN.', 'comment.line.documentation.kf');
  assertScope(tokens, '//', 'punctuation.definition.comment.kf');
  assertScope(tokens, ' the "count" {x}', 'comment.line.double-slash.kf');
});

test('four or more slashes start a plain comment', () => {
  const tokens = tokenize('//// Section', '///');
  assertScope(tokens, '//', 'punctuation.definition.comment.kf');
  assertScope(tokens, '// Section', 'comment.line.double-slash.kf');
  assertScope(tokens, '///', 'punctuation.definition.comment.kf');
  assert.ok(tokens[tokens.length - 1][1].includes('comment.line.documentation.kf'));
});

test('Enter continues a doc comment, not a line of slashes', () => {
  const file = path.join(root, 'language-configuration.json');
  const rules = JSON.parse(fs.readFileSync(file, 'utf8')).onEnterRules;
  const doc = rules.find((rule) => rule.action.appendText === '/// ');
  const before = new RegExp(doc.beforeText);
  assert.ok(before.test('/// Trains.'));
  assert.ok(before.test('  ///'));
  assert.ok(!before.test('//// Section'));
  assert.ok(!before.test('  //////////'));
  assert.ok(!before.test('// plain'));
});

test('operators and punctuation', () => {
  const tokens = tokenize('if a.b == c and d != e and f <= g { x = h(i) -> j }');
  assertScope(tokens, '.', 'punctuation.accessor.kf');
  assertScope(tokens, '==', 'keyword.operator.comparison.kf');
  assertScope(tokens, '!=', 'keyword.operator.comparison.kf');
  assertScope(tokens, '<=', 'keyword.operator.comparison.kf');
  assertScope(tokens, '=', 'keyword.operator.assignment.kf');
  assertScope(tokens, '->', 'keyword.operator.arrow.kf');
  assertScope(tokens, 'h', 'entity.name.function.call.kf');
  const env = tokenize('env AWS_REGION = "x"', 'for x in xs parallelism = 2 {');
  assertScope(env, 'env', 'keyword.other.env.kf');
  assertScope(env, 'parallelism', 'keyword.other.parallelism.kf');
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * What the event contracts' source says beyond their runtime values: the doc comments of schema fields and
 * declarations, and the text of each `subjectOf` rule. Read with the TypeScript parser (no type checking), so
 * a comment on a field reaches the catalogue wherever the field's schema is declared in libs/contracts.
 */
export interface ContractSource {
  /** The exported constant, e.g. `PaymentCapturedV1`. */
  readonly exportName: string;
  /** Repository-relative path of the module that defines it. */
  readonly file: string;
  readonly type: string;
  /** The doc comment of the declaration, if any. */
  readonly notes: string | undefined;
  /** Source text of what `subjectOf` returns, e.g. `data.subscriberId`. */
  readonly subjectRule: string | undefined;
  /** A `//` comment written above `subjectOf`. */
  readonly subjectComment: string | undefined;
  /** Field path (`usage[].serviceId`) → its doc comment, or the doc comment of the schema it uses. */
  readonly fieldDocs: ReadonlyMap<string, string>;
}

/** Who receives a deliverable event, as written in `WEBHOOK_DELIVERABLE_EVENTS`. */
export interface AudienceSource {
  readonly exportName: string;
  /** The organizations an `organization` audience names: `[data.operatorId]`, or a function's name. */
  readonly organizations: string | undefined;
  /** The doc comment of that function when it is a named one. */
  readonly organizationsDoc: string | undefined;
}

interface ParsedModule {
  readonly file: string;
  readonly source: ts.SourceFile;
  /** Top-level `const` name → its declaration. */
  readonly declarations: ReadonlyMap<string, ts.VariableDeclaration>;
  /** Imported local name → the module file and the name it has there. */
  readonly imports: ReadonlyMap<string, { readonly file: string; readonly name: string }>;
}

/** The TypeScript sources of one folder tree (specs left out), parsed and resolvable by relative import. */
export class SourceTree {
  private readonly modules = new Map<string, ParsedModule>();

  constructor(
    private readonly repositoryRoot: string,
    folder: string,
  ) {
    for (const file of typeScriptFiles(path.join(repositoryRoot, folder))) this.parse(file);
  }

  get all(): readonly ParsedModule[] {
    return [...this.modules.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  moduleAt(file: string): ParsedModule | undefined {
    return this.modules.get(file);
  }

  /** The declaration a name refers to in a module, following imports. */
  resolve(
    module: ParsedModule,
    name: string,
  ): { module: ParsedModule; declaration: ts.VariableDeclaration } | undefined {
    const local = module.declarations.get(name);
    if (local) return { module, declaration: local };
    const imported = module.imports.get(name);
    const target = imported && this.modules.get(imported.file);
    return target && imported ? this.resolve(target, imported.name) : undefined;
  }

  relative(module: ParsedModule): string {
    return path.relative(this.repositoryRoot, module.file).split(path.sep).join('/');
  }

  private parse(file: string): void {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const declarations = new Map<string, ts.VariableDeclaration>();
    const imports = new Map<string, { file: string; name: string }>();
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations)
          if (ts.isIdentifier(declaration.name)) declarations.set(declaration.name.text, declaration);
      } else if (
        ts.isImportDeclaration(statement) &&
        ts.isStringLiteral(statement.moduleSpecifier) &&
        statement.moduleSpecifier.text.startsWith('.')
      ) {
        const target = path.resolve(
          path.dirname(file),
          statement.moduleSpecifier.text.replace(/\.js$/, '.ts'),
        );
        const bindings = statement.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements)
            imports.set(element.name.text, {
              file: target,
              name: (element.propertyName ?? element.name).text,
            });
        }
      }
    }
    this.modules.set(file, { file, source, declarations, imports });
  }
}

/** Every `defineEvent({...})` of the contracts' sources, with its comments and subject rule. */
export function readContractSources(tree: SourceTree): ContractSource[] {
  const found: ContractSource[] = [];
  for (const module of tree.all) {
    for (const [exportName, declaration] of module.declarations) {
      const call = declaration.initializer;
      if (!call || !ts.isCallExpression(call) || !isIdentifierNamed(call.expression, 'defineEvent')) continue;
      const spec = call.arguments[0];
      if (!spec || !ts.isObjectLiteralExpression(spec)) continue;
      const type = propertyOf(spec, 'type');
      if (!type || !ts.isStringLiteralLike(type.initializer)) continue;
      const schema = propertyOf(spec, 'schema');
      const subject = propertyOf(spec, 'subjectOf');
      const fieldDocs = new Map<string, string>();
      if (schema) new FieldDocCollector(tree, fieldDocs).collect(schema.initializer, module, '');
      found.push({
        exportName,
        file: tree.relative(module),
        type: type.initializer.text,
        notes: docOf(declaration),
        subjectRule: subject ? returnedText(subject.initializer, module.source) : undefined,
        subjectComment: subject ? lineCommentsBefore(subject, module.source) : undefined,
        fieldDocs,
      });
    }
  }
  return found;
}

/** The `deliverable(Contract, audience)` entries of the module declaring `WEBHOOK_DELIVERABLE_EVENTS`. */
export function readAudienceSources(tree: SourceTree): AudienceSource[] {
  const found: AudienceSource[] = [];
  for (const module of tree.all) {
    const list = module.declarations.get('WEBHOOK_DELIVERABLE_EVENTS')?.initializer;
    if (!list || !ts.isArrayLiteralExpression(list)) continue;
    for (const element of list.elements) {
      if (!ts.isCallExpression(element) || !isIdentifierNamed(element.expression, 'deliverable')) continue;
      const [contract, audience] = element.arguments;
      if (!contract || !ts.isIdentifier(contract)) continue;
      let organizations: string | undefined;
      let organizationsDoc: string | undefined;
      if (audience && ts.isCallExpression(audience) && isIdentifierNamed(audience.expression, 'concerning')) {
        const rule = audience.arguments[0];
        if (rule && ts.isIdentifier(rule)) {
          organizations = rule.text;
          const resolved = tree.resolve(module, rule.text);
          organizationsDoc = resolved && docOf(resolved.declaration);
        } else if (rule) {
          organizations = returnedText(rule, module.source);
        }
      }
      found.push({ exportName: contract.text, organizations, organizationsDoc });
    }
  }
  return found;
}

/** Walks a zod schema expression and records the doc comment of every field it can reach. */
class FieldDocCollector {
  constructor(
    private readonly tree: SourceTree,
    private readonly docs: Map<string, string>,
  ) {}

  collect(expression: ts.Expression, module: ParsedModule, prefix: string): void {
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) {
      this.collect(expression.expression, module, prefix);
    } else if (ts.isIdentifier(expression)) {
      const resolved = this.tree.resolve(module, expression.text);
      const initializer = resolved?.declaration.initializer;
      if (resolved && initializer) this.collect(initializer, resolved.module, prefix);
    } else if (ts.isObjectLiteralExpression(expression)) {
      this.collectShape(expression, module, prefix);
    } else if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
      const receiver = expression.expression.expression;
      const method = expression.expression.name.text;
      const [first] = expression.arguments;
      if (isIdentifierNamed(receiver, 'z')) {
        if (method === 'object' && first) this.collect(first, module, prefix);
        else if (method === 'array' && first) this.collect(first, module, `${prefix}[]`);
        return;
      }
      // `schema.extend({...})`, `.refine(…)`, `.nullable()`: the receiver's fields, plus any added ones.
      this.collect(receiver, module, prefix);
      if (method === 'extend' && first) this.collect(first, module, prefix);
    }
  }

  private collectShape(shape: ts.ObjectLiteralExpression, module: ParsedModule, prefix: string): void {
    for (const member of shape.properties) {
      if (ts.isSpreadAssignment(member)) {
        this.collect(member.expression, module, prefix);
        continue;
      }
      if (!ts.isPropertyAssignment(member)) continue;
      const name = propertyName(member.name);
      if (name === undefined) continue;
      const fieldPath = prefix === '' ? name : `${prefix}.${name}`;
      const doc = docOf(member) ?? this.docOfSchemaUsed(member.initializer, module);
      if (doc !== undefined) this.docs.set(fieldPath, doc);
      this.collect(member.initializer, module, fieldPath);
    }
  }

  /** `period: billingPeriodSchema.optional()`: the doc comment of `billingPeriodSchema`. */
  private docOfSchemaUsed(expression: ts.Expression, module: ParsedModule): string | undefined {
    let root: ts.Expression = expression;
    while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression))
      root = root.expression.expression;
    if (!ts.isIdentifier(root) || root.text === 'z') return undefined;
    const resolved = this.tree.resolve(module, root.text);
    return resolved && docOf(resolved.declaration);
  }
}

function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.endsWith('.d.ts'))
    .sort();
}

function isIdentifierNamed(node: ts.Node, name: string): boolean {
  return ts.isIdentifier(node) && node.text === name;
}

function propertyOf(literal: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return literal.properties.find(
    (member): member is ts.PropertyAssignment =>
      ts.isPropertyAssignment(member) && propertyName(member.name) === name,
  );
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
}

/** The doc comment (`/** … *\/`) of a declaration or property, on one line. */
function docOf(node: ts.Node): string | undefined {
  const texts = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .filter((text) => text.trim() !== '');
  return texts.length === 0 ? undefined : oneLine(texts.join(' '));
}

/** An arrow function's returned expression (or a function's whole text), on one line. */
function returnedText(expression: ts.Expression, source: ts.SourceFile): string {
  const body = ts.isArrowFunction(expression) ? expression.body : expression;
  return oneLine(body.getText(source));
}

function lineCommentsBefore(node: ts.Node, source: ts.SourceFile): string | undefined {
  const comments = (ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [])
    .filter((range) => range.kind === ts.SyntaxKind.SingleLineCommentTrivia)
    .map((range) => source.text.slice(range.pos + 2, range.end).trim());
  return comments.length === 0 ? undefined : oneLine(comments.join(' '));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

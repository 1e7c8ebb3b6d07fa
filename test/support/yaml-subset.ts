/**
 * A reader for the block-style YAML that Skiff's documentation files use (the Prometheus alert
 * rules in docs/alerts): mappings, sequences of mappings or scalars, plain and quoted scalars, and
 * literal block scalars (`|`). Anything else — tabs, flow collections, anchors, tags, folded
 * scalars, a key twice, a bad indentation — is refused with the line number, so a file that reads
 * here is plain YAML that any YAML parser (Prometheus's included) reads the same way.
 */

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

export function parseYamlSubset(source: string): YamlValue {
  const lines: Line[] = [];
  source.split("\n").forEach((raw, i) => {
    if (raw.includes("\t")) throw new Error(`line ${i + 1}: tabs are not allowed`);
    const text = raw.trimEnd();
    if (text.trim() === "" || text.trim().startsWith("#")) return;
    lines.push({ number: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  const state = { at: 0, lines, raw: source.split("\n") };
  const value = block(state, 0);
  if (state.at !== lines.length) throw new Error(`line ${lines[state.at].number}: unexpected indentation`);
  return value;
}

type State = { at: number; readonly lines: Line[]; readonly raw: string[] };

function block(state: State, indent: number): YamlValue {
  const first = state.lines[state.at];
  if (!first || first.indent !== indent) throw new Error(`line ${first?.number ?? "end"}: expected a block at indentation ${indent}`);
  return first.text.startsWith("- ") || first.text === "-" ? sequence(state, indent) : mapping(state, indent);
}

function sequence(state: State, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  for (let line = state.lines[state.at]; line && line.indent === indent && line.text.startsWith("- "); line = state.lines[state.at]) {
    const rest = line.text.slice(2);
    if (/^[^"'][^:]*:( |$)/.test(rest)) {
      // "- key: value": a mapping whose first key sits after the dash, the others at indent + 2.
      state.lines[state.at] = { number: line.number, indent: indent + 2, text: rest };
      items.push(mapping(state, indent + 2));
    } else {
      items.push(scalar(rest, line.number));
      state.at++;
    }
  }
  return items;
}

function mapping(state: State, indent: number): { [key: string]: YamlValue } {
  const map: { [key: string]: YamlValue } = {};
  for (let line = state.lines[state.at]; line && line.indent === indent && !line.text.startsWith("- "); line = state.lines[state.at]) {
    const match = /^([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$/.exec(line.text);
    if (!match) throw new Error(`line ${line.number}: expected "key: value"`);
    const [, key, rest] = match;
    if (Object.hasOwn(map, key)) throw new Error(`line ${line.number}: key ${key} twice`);
    state.at++;
    if (rest === undefined) {
      const next = state.lines[state.at];
      if (!next || next.indent <= indent) throw new Error(`line ${line.number}: ${key} has no value`);
      map[key] = block(state, next.indent);
    } else if (rest === "|") {
      map[key] = literal(state, indent, line.number);
    } else {
      map[key] = scalar(rest, line.number);
    }
  }
  return map;
}

/** A `|` block: the more-indented lines that follow, their common indentation removed, one final newline. */
function literal(state: State, indent: number, number: number): string {
  const body: Line[] = [];
  while (state.at < state.lines.length && state.lines[state.at].indent > indent) body.push(state.lines[state.at++]);
  if (body.length === 0) throw new Error(`line ${number}: an empty block scalar`);
  const inner = body[0].indent;
  const text = state.raw.slice(body[0].number - 1, body.at(-1)!.number).map((raw) => raw.trimEnd());
  if (text.some((raw) => raw.trim() !== "" && raw.length - raw.trimStart().length < inner)) throw new Error(`line ${number}: block lines less indented than its first`);
  return `${text.map((raw) => raw.slice(inner)).join("\n")}\n`;
}

function scalar(text: string, number: number): string {
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new Error(`line ${number}: a bad double-quoted string`);
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new Error(`line ${number}: a bad single-quoted string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[[{&*!|>%@`]/.test(text) || / #/.test(text) || /: /.test(text)) throw new Error(`line ${number}: quote this scalar (${text})`);
  return text;
}

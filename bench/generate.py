#!/usr/bin/env python3
"""Write generated `.kf` pipelines for the scale benchmark (bench/scale).

Each pipeline has an exact number of tasks and one of these shapes:

- chain:   every task reads the output of the task before it;
- fan:     one source task, N - 2 workers that read its output, and one join task that runs
           after all workers (`after = [...]`);
- nested:  blocks of five tasks, each an `if`/`else` whose `then` branch holds a `for` loop
           with another `if` inside;
- imports: a chain over 100 components declared in 10 component files that the pipeline imports.

    bench/generate.py OUT_DIR [--sizes 10,100,1000,10000] [--shapes chain,fan,nested,imports]

It also writes `two_tasks.kf` (the start-up case) and `lsp_2000_lines.kf`, a chain pipeline of
exactly 2,000 lines for the language server benchmark. Uses only the Python standard library.
"""

import argparse
import os
import sys

IMPORT_FILES = 10
COMPONENTS_PER_FILE = 10

STEP_COMPONENT = """\
/// Copies its input to its output.
component step(x: string) -> (out: string) {
  image = "alpine:3.19"
  command = ["sh", "-c", "printf %s \\"$0\\" > \\"$1\\"", x, out.path]
}
"""

FAN_COMPONENTS = STEP_COMPONENT + """
component source() -> (out: string) {
  image = "alpine:3.19"
  command = ["sh", "-c", "echo data > \\"$0\\"", out.path]
}

component join() {
  image = "alpine:3.19"
  command = ["echo", "all workers finished"]
}
"""

NESTED_COMPONENTS = STEP_COMPONENT + """
component flip() -> (out: string) {
  image = "alpine:3.19"
  command = ["sh", "-c", "echo heads > \\"$0\\"", out.path]
}
"""


def chain(tasks):
    lines = [STEP_COMPONENT, "pipeline chain(seed: string = \"start\") {"]
    previous = "seed"
    for i in range(tasks):
        lines.append(f"  t{i} = step(x = {previous})")
        previous = f"t{i}.out"
    lines.append("}")
    return "\n".join(lines) + "\n"


def fan(tasks):
    if tasks < 3:
        raise ValueError("the fan shape needs at least 3 tasks")
    workers = tasks - 2
    lines = [FAN_COMPONENTS, "pipeline fan() {", "  src = source()"]
    for i in range(workers):
        lines.append(f"  w{i} = step(x = src.out)")
    lines.append("  join() {")
    lines.append("    after = [")
    for i in range(workers):
        lines.append(f"      w{i},")
    lines.append("    ]")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def nested(tasks):
    if tasks % 5 != 0:
        raise ValueError("the nested shape needs a multiple of 5 tasks")
    lines = [NESTED_COMPONENTS, "pipeline nested(items: list<string> = [\"a\", \"b\"]) {"]
    for b in range(tasks // 5):
        lines += [
            f"  c{b} = flip()",
            f"  if c{b}.out == \"heads\" {{",
            f"    s{b} = step(x = c{b}.out)",
            "    for item in items {",
            f"      if s{b}.out != item {{",
            f"        i{b} = step(x = item)",
            f"        step(x = i{b}.out)",
            "      }",
            "    }",
            "  } else {",
            f"    step(x = \"tails {b}\")",
            "  }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def component_file(index):
    parts = [f"// Generated component library {index} for the kfpc scale benchmark.\n"]
    for j in range(COMPONENTS_PER_FILE):
        parts.append(f"""
component lib{index}_op{j}(x: string) -> (out: string) {{
  image = "alpine:3.19"
  command = ["sh", "-c", "printf %s \\"$0\\" > \\"$1\\"", x, out.path]
}}
""")
    return "".join(parts)


def imports(tasks, directory):
    components_dir = os.path.join(directory, "components")
    os.makedirs(components_dir, exist_ok=True)
    for index in range(IMPORT_FILES):
        write(os.path.join(components_dir, f"lib{index}.kf"), component_file(index))
    lines = [f"import \"components/lib{index}.kf\"" for index in range(IMPORT_FILES)]
    lines += ["", "pipeline imports(seed: string = \"start\") {"]
    previous = "seed"
    component_count = IMPORT_FILES * COMPONENTS_PER_FILE
    for i in range(tasks):
        which = i % component_count
        name = f"lib{which // COMPONENTS_PER_FILE}_op{which % COMPONENTS_PER_FILE}"
        lines.append(f"  t{i} = {name}(x = {previous})")
        previous = f"t{i}.out"
    lines.append("}")
    return "\n".join(lines) + "\n"


def two_tasks():
    return STEP_COMPONENT + """
pipeline two_tasks(seed: string = "start") {
  first = step(x = seed)
  step(x = first.out)
}
"""


def lsp_file(total_lines):
    header_lines = chain(0).count("\n")  # components, the pipeline header and the closing brace
    return chain(total_lines - header_lines)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--sizes", default="10,100,1000,10000",
                        help="comma-separated task counts (default: %(default)s)")
    parser.add_argument("--shapes", default="chain,fan,nested,imports",
                        help="comma-separated shapes (default: %(default)s)")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for shape in shapes:
        for size in sizes:
            path = os.path.join(args.out_dir, f"{shape}_{size}.kf")
            if shape == "chain":
                text = chain(size)
            elif shape == "fan":
                text = fan(size)
            elif shape == "nested":
                text = nested(size)
            elif shape == "imports":
                text = imports(size, args.out_dir)
            else:
                sys.exit(f"generate: error: unknown shape {shape!r}; "
                         "expected chain, fan, nested or imports")
            write(path, text)
            written.append(path)
    for name, text in (("two_tasks.kf", two_tasks()), ("lsp_2000_lines.kf", lsp_file(2000))):
        path = os.path.join(args.out_dir, name)
        write(path, text)
        written.append(path)
    print("\n".join(written))


if __name__ == "__main__":
    main()

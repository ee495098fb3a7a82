// CEL's `matches` is specified with RE2 syntax; the evaluator runs JavaScript's RegExp. A pattern is
// accepted only where the two agree: the JavaScript features RE2 lacks (lookaround, backreferences)
// and the RE2 syntax JavaScript reads differently or refuses (inline flags, \A, \z, \Q...\E,
// [[:alpha:]], \pL, (?P<name>...)) are refused when the playbook loads, with what to write instead.

export interface RegexProblem {
  readonly message: string;
  readonly fix: string;
  /** Index in the pattern. */
  readonly index: number;
}

const RE2_ONLY_ESCAPES: Readonly<Record<string, string>> = {
  A: "use ^ for the start of the text",
  z: "use $ for the end of the text",
  Q: "escape each special character with \\ instead of \\Q...\\E",
  E: "escape each special character with \\ instead of \\Q...\\E",
  C: "use . for any character",
  p: "write the characters as a class, e.g. [A-Za-z] for \\pL",
  P: "write the characters as a negated class, e.g. [^0-9] for \\PN",
};

/** The first construct of `pattern` on which RE2 and JavaScript disagree, or undefined. */
export function re2Problem(pattern: string): RegexProblem | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(next)) {
        return {
          index: i,
          message: `the backreference \\${next} is not in RE2, the regular expressions CEL conditions use`,
          fix: "compare the parts separately, e.g. a.matches(...) && b == c",
        };
      }
      if (!inClass && next === "k" && pattern[i + 2] === "<") {
        return {
          index: i,
          message: "the named backreference \\k<...> is not in RE2, the regular expressions CEL conditions use",
          fix: "compare the parts separately",
        };
      }
      const re2Only = RE2_ONLY_ESCAPES[next];
      if (re2Only) {
        return { index: i, message: `\\${next} means something else to this engine than in RE2`, fix: re2Only };
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") {
        return {
          index: i,
          message: "POSIX classes such as [[:alpha:]] are RE2 syntax this engine reads differently",
          fix: "write the class out, e.g. [A-Za-z] for [[:alpha:]] or [0-9] for [[:digit:]]",
        };
      }
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "]") i++;
      if (pattern[i + 1] === "^" && pattern[i + 2] === "]") i += 2;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith("=") || head.startsWith("!")) {
        return {
          index: i,
          message: `lookahead "${pattern.slice(i, i + 3)}" is not in RE2, the regular expressions CEL conditions use`,
          fix: "match the text itself, or combine conditions: x.matches('a') && !x.matches('b')",
        };
      }
      if (head === "<=" || head === "<!") {
        return {
          index: i,
          message: `lookbehind "${pattern.slice(i, i + 4)}" is not in RE2, the regular expressions CEL conditions use`,
          fix: "match the text itself, or combine conditions: x.matches('a') && !x.matches('b')",
        };
      }
      if (head.startsWith("P")) {
        return {
          index: i,
          message: "(?P<name>...) is RE2 syntax this engine does not run",
          fix: "write (?<name>...) or a plain group (...)",
        };
      }
      if (/^[imsU-]/.test(head)) {
        return {
          index: i,
          message: `the inline flag group ${/^\(\?[imsU-]+[:)]?/.exec(pattern.slice(i))?.[0] ?? "(?i)"} is RE2 syntax this engine does not run`,
          fix: "spell the cases out, e.g. [Hh]igh for (?i)high, or compare lowerAscii()-ed text",
        };
      }
    }
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : String(error);
    return { index: 0, message: `not a valid regular expression (${detail})`, fix: "correct the pattern; CEL uses RE2 syntax" };
  }
  return undefined;
}

// --format with the older boolean flags kept as aliases (--json, --markdown): one value, checked.
import { UsageError } from "./args.ts";

export function formatOption<F extends string>(
  values: Record<string, string | boolean | undefined>,
  formats: readonly F[],
  aliases: Readonly<Partial<Record<F, string>>>,
  usage: string,
): F {
  const chosen = new Set<F>();
  const named = values.format;
  if (typeof named === "string") {
    if (!(formats as readonly string[]).includes(named)) {
      throw new UsageError(`--format must be one of ${formats.join(", ")}, not "${named}"\n\n${usage}`);
    }
    chosen.add(named as F);
  }
  for (const [format, flag] of Object.entries(aliases) as [F, string][]) if (values[flag] === true) chosen.add(format);
  if (chosen.size > 1) throw new UsageError(`choose one output format, not ${[...chosen].join(" and ")}\n\n${usage}`);
  return [...chosen][0] ?? (formats[0] as F);
}

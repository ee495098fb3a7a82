// Instance settings an admin changes at run time, one JSON value per key. Branding is what the
// client portal wears: the vendor's name and colour, so clients see their vendor, not Onboard.
import { z } from "zod";
import type { Instant } from "../../engine/types.ts";
import type { ApiDb } from "./tables.ts";

export const Branding = z
  .object({
    vendorName: z.string().trim().min(1).max(100),
    primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: "must be a colour such as #1f5eff" }),
    logoUrl: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .max(2000)
      .nullable(),
    supportEmail: z.email({ error: "must be an email address" }).nullable(),
  })
  .meta({ id: "Branding" });
export type Branding = z.infer<typeof Branding>;

export const DEFAULT_BRANDING: Branding = { vendorName: "Onboard", primaryColor: "#1f5eff", logoUrl: null, supportEmail: null };

export async function getBranding(db: ApiDb): Promise<Branding> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", "branding").executeTakeFirst();
  const parsed = Branding.safeParse(row?.value);
  return parsed.success ? parsed.data : DEFAULT_BRANDING;
}

export async function putBranding(db: ApiDb, branding: Branding, by: string, now: Instant): Promise<void> {
  await db
    .insertInto("settings")
    .values({ key: "branding", value: JSON.stringify(branding), updated_by: by, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(branding), updated_by: by, updated_at: now }))
    .execute();
}

/**
 * The organisation's values for playbook parameters ({{company_name}}, {{support_email}} ...): a
 * template uses them where the project was started without its own value.
 */
export const ParameterValues = z
  .object({
    values: z
      .record(
        z
          .string()
          .regex(/^[a-z][a-z0-9_]*$/, { error: "a parameter name such as support_email" })
          .max(100),
        z.string().trim().max(2000, { error: "at most 2000 characters" }),
      )
      .refine((v) => Object.keys(v).length <= 200, { error: "at most 200 parameters" }),
  })
  .meta({ id: "ParameterValues" });
export type ParameterValues = z.infer<typeof ParameterValues>;

export async function getParameterValues(db: ApiDb): Promise<ParameterValues> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", "parameters").executeTakeFirst();
  const parsed = ParameterValues.safeParse(typeof row?.value === "string" ? JSON.parse(row.value) : row?.value);
  return parsed.success ? parsed.data : { values: {} };
}

/** Set the values given (an empty string removes one); the others stay. Returns all of them. */
export async function mergeParameterValues(db: ApiDb, changes: ParameterValues, by: string, now: Instant): Promise<ParameterValues> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom("settings").select("key").where("key", "=", "parameters").forUpdate().execute();
    const current = (await getParameterValues(trx)).values;
    const values: Record<string, string> = { ...current };
    for (const [k, v] of Object.entries(changes.values)) {
      if (v === "") delete values[k];
      else values[k] = v;
    }
    const value = JSON.stringify({ values });
    await trx
      .insertInto("settings")
      .values({ key: "parameters", value, updated_by: by, updated_at: now })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_by: by, updated_at: now }))
      .execute();
    return { values };
  });
}

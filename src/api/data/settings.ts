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

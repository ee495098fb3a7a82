// The vendor's colour on the portal's pages (the signed-in portal and the public survey page).
import type { Schemas } from "../api/client.ts";

/** White or near-black text, whichever reads better on the vendor's colour (WCAG contrast). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#111827";
}

export function applyBranding(branding: Schemas["Branding"] | undefined): void {
  const root = document.documentElement;
  if (!branding) return;
  root.style.setProperty("--brand", branding.primaryColor);
  root.style.setProperty("--brand-text", textOn(branding.primaryColor));
  // Links and focus rings in the vendor's colour only when it reads on white.
  if (textOn(branding.primaryColor) === "#ffffff") root.style.setProperty("--accent", branding.primaryColor);
}

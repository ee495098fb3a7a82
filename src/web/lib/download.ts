// A file downloaded through fetch rather than a link, so a refusal (problem+json) shows as a notice
// in the page instead of being saved as the file.
import { useState } from "react";
import { ApiError, type Problem } from "../api/client.ts";

/** Fetches `url` and saves its body under the server's file name (else `fallbackName`); returns the response's headers. */
export async function downloadFile(url: string, fallbackName: string): Promise<{ name: string; headers: Headers }> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({ title: response.statusText }))) as Problem;
    throw new ApiError(response.status, problem, null);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return { name, headers: response.headers };
}

/**
 * A panel of download buttons: which one is being prepared, the refusal to show, and a note once
 * saved (`noteOf` may read one from the response, else "Downloaded <file>.").
 */
export function useDownloads<K extends string>(noteOf?: (headers: Headers) => string | null) {
  const [busy, setBusy] = useState<K>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const download = async (key: K, url: string, fallbackName: string) => {
    setBusy(key);
    setError(undefined);
    setNote(undefined);
    try {
      const { name, headers } = await downloadFile(url, fallbackName);
      setNote(noteOf?.(headers) ?? `Downloaded ${name}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, error, note, download };
}

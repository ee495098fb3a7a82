// Public holidays by country (and state/region), from date-holidays: rules for ~200 countries,
// including movable feasts, lunar calendars and substitute ("observed") days, kept up to date by
// its maintainers; not something to hand-roll.
//
// Only type "public" counts (not bank, school, optional or observance days), each on the date
// date-holidays reports, substitute days included, as a whole local day. The table is a pure
// function of (country, region, year), so it is memoised per process, filled lazily a year at a
// time, and shared by every calendar for the same place: building calendars stays cheap and a
// due date never recomputes holidays. Results do not depend on the host's TZ: we read only the
// "YYYY-MM-DD" part of each holiday's `date`, which date-holidays computes in the country's zone.

import Holidays from "date-holidays";
import { CalendarError } from "./calendar-error.ts";
import { civilFromDays, parseCivilDate } from "./civil-date.ts";

/** The countries and regions date-holidays knows, looked up once. */
let catalog: Holidays | undefined;
function holidayCatalog(): Holidays {
  catalog ??= new Holidays();
  return catalog;
}

export interface HolidayPlace {
  readonly country: string;
  readonly region: string | undefined;
}

/**
 * Validates and normalises the country and region of a calendar; undefined when it has no public
 * holidays (no country, or "none").
 */
export function resolveHolidayPlace(country: string | undefined, region: string | undefined): HolidayPlace | undefined {
  const wantsNone = country === undefined || country.trim() === "" || country.trim().toLowerCase() === "none";
  if (wantsNone) {
    if (region !== undefined && region.trim() !== "") {
      throw new CalendarError("invalid_region", "region", `region "${region}" needs a country to belong to`);
    }
    return undefined;
  }
  const code = country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !Object.hasOwn(holidayCatalog().getCountries("en"), code)) {
    throw new CalendarError(
      "invalid_country",
      "country",
      `"${country}" is not a country with known public holidays; use an ISO 3166-1 alpha-2 code such as "US" or "DE", or "none"`,
    );
  }
  if (region === undefined || region.trim() === "") return { country: code, region: undefined };
  const regionCode = region.trim().toUpperCase();
  const states = holidayCatalog().getStates(code, "en") ?? {};
  if (!Object.hasOwn(states, regionCode)) {
    const known = Object.keys(states);
    const hint = known.length === 0 ? `${code} has no regional holidays` : `known regions of ${code}: ${known.join(", ")}`;
    throw new CalendarError("invalid_region", "region", `"${region}" is not a region of ${code} (${hint})`);
  }
  return { country: code, region: regionCode };
}

export interface PublicHolidayTable {
  /** The public holiday's name on a local date (epoch days), or undefined. */
  nameOn(day: number): string | undefined;
}

class LazyHolidayTable implements PublicHolidayTable {
  readonly #source: Holidays;
  /** Years whose dates are complete in `#names`. */
  readonly #years = new Set<number>();
  /** Years already asked of date-holidays. */
  readonly #fetched = new Set<number>();
  readonly #names = new Map<number, string>();

  constructor(place: HolidayPlace) {
    this.#source =
      place.region === undefined
        ? new Holidays(place.country, { types: ["public"], languages: ["en"] })
        : new Holidays(place.country, place.region, { types: ["public"], languages: ["en"] });
  }

  nameOn(day: number): string | undefined {
    const { year } = civilFromDays(day);
    if (!this.#years.has(year)) {
      // A substitute day may be reported under the neighbouring year (New Year's Day on a
      // Saturday is observed on 31 December), so a year is complete once its neighbours are read.
      for (const y of [year - 1, year, year + 1]) this.#fetch(y);
      this.#years.add(year);
    }
    return this.#names.get(day);
  }

  #fetch(year: number): void {
    if (this.#fetched.has(year)) return;
    this.#fetched.add(year);
    for (const holiday of this.#source.getHolidays(year, "en")) {
      if (holiday.type !== "public") continue;
      const day = parseCivilDate(holiday.date.slice(0, 10));
      if (day === undefined) continue;
      // Two holidays on one date share it; sorted so the name does not depend on which year was read first.
      const names = new Set(this.#names.get(day)?.split(" / "));
      names.add(holiday.name);
      this.#names.set(day, [...names].sort().join(" / "));
    }
  }
}

const tables = new Map<string, PublicHolidayTable>();

export function publicHolidayTable(place: HolidayPlace): PublicHolidayTable {
  const key = `${place.country}|${place.region ?? ""}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = new LazyHolidayTable(place);
    tables.set(key, table);
  }
  return table;
}

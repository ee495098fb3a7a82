// Realistic, made-up clients and people for the demo portfolio: company names in the style of their
// country, each with its time zone, holiday calendar and sales territory. Deterministic from a seed.

export interface Rng {
  /** In [0, 1). */
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast and good enough to make data look varied, the same for the same seed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

export interface Place {
  readonly country: string;
  readonly timeZone: string;
  readonly region?: string;
  readonly territory: "AMER" | "EMEA" | "APAC";
  readonly style: keyof typeof STYLES;
  /** Relative share of clients. */
  readonly weight: number;
}

export const PLACES: readonly Place[] = [
  { country: "US", timeZone: "America/New_York", region: "NY", territory: "AMER", style: "en", weight: 9 },
  { country: "US", timeZone: "America/Chicago", region: "IL", territory: "AMER", style: "en", weight: 5 },
  { country: "US", timeZone: "America/Denver", region: "CO", territory: "AMER", style: "en", weight: 2 },
  { country: "US", timeZone: "America/Los_Angeles", region: "CA", territory: "AMER", style: "en", weight: 7 },
  { country: "CA", timeZone: "America/Toronto", region: "ON", territory: "AMER", style: "en", weight: 3 },
  { country: "BR", timeZone: "America/Sao_Paulo", territory: "AMER", style: "pt", weight: 2 },
  { country: "MX", timeZone: "America/Mexico_City", territory: "AMER", style: "es", weight: 2 },
  { country: "GB", timeZone: "Europe/London", territory: "EMEA", style: "en_gb", weight: 6 },
  { country: "IE", timeZone: "Europe/Dublin", territory: "EMEA", style: "en_gb", weight: 1 },
  { country: "DE", timeZone: "Europe/Berlin", region: "BY", territory: "EMEA", style: "de", weight: 5 },
  { country: "AT", timeZone: "Europe/Vienna", territory: "EMEA", style: "de", weight: 1 },
  { country: "CH", timeZone: "Europe/Zurich", territory: "EMEA", style: "de", weight: 1 },
  { country: "FR", timeZone: "Europe/Paris", territory: "EMEA", style: "fr", weight: 4 },
  { country: "NL", timeZone: "Europe/Amsterdam", territory: "EMEA", style: "nl", weight: 2 },
  { country: "ES", timeZone: "Europe/Madrid", territory: "EMEA", style: "es", weight: 2 },
  { country: "IT", timeZone: "Europe/Rome", territory: "EMEA", style: "it", weight: 2 },
  { country: "SE", timeZone: "Europe/Stockholm", territory: "EMEA", style: "nordic", weight: 2 },
  { country: "PL", timeZone: "Europe/Warsaw", territory: "EMEA", style: "en", weight: 1 },
  { country: "ZA", timeZone: "Africa/Johannesburg", territory: "EMEA", style: "en_gb", weight: 1 },
  { country: "AE", timeZone: "Asia/Dubai", territory: "EMEA", style: "en", weight: 1 },
  { country: "IN", timeZone: "Asia/Kolkata", territory: "APAC", style: "en", weight: 2 },
  { country: "SG", timeZone: "Asia/Singapore", territory: "APAC", style: "en", weight: 2 },
  { country: "JP", timeZone: "Asia/Tokyo", territory: "APAC", style: "jp", weight: 2 },
  { country: "AU", timeZone: "Australia/Sydney", region: "NSW", territory: "APAC", style: "en_gb", weight: 3 },
  { country: "NZ", timeZone: "Pacific/Auckland", territory: "APAC", style: "en_gb", weight: 1 },
];

const STYLES = {
  en: {
    first: [
      "Summit",
      "Bluewater",
      "Ironwood",
      "Northstar",
      "Brightline",
      "Cobalt",
      "Redwood",
      "Harbor",
      "Keystone",
      "Pioneer",
      "Granite",
      "Evergreen",
      "Silverleaf",
      "Lakeshore",
      "Crescent",
      "Beacon",
      "Falcon",
      "Meridian",
      "Oakridge",
      "Sterling",
    ],
    second: [
      "Analytics",
      "Health",
      "Logistics",
      "Financial",
      "Labs",
      "Systems",
      "Retail",
      "Energy",
      "Foods",
      "Robotics",
      "Insurance",
      "Media",
      "Networks",
      "Capital",
      "Dynamics",
      "Software",
    ],
    suffix: ["Inc.", "LLC", "Corp.", "Group", "Co."],
  },
  en_gb: {
    first: [
      "Thames",
      "Kestrel",
      "Ashdown",
      "Pennine",
      "Harrow",
      "Wexford",
      "Blackthorn",
      "Marlow",
      "Cotswold",
      "Highgate",
      "Kingsbridge",
      "Ravensworth",
      "Fenwick",
      "Bramley",
    ],
    second: [
      "Partners",
      "Logistics",
      "Health",
      "Insurance",
      "Analytics",
      "Retail",
      "Engineering",
      "Property",
      "Digital",
      "Energy",
      "Foods",
      "Legal",
    ],
    suffix: ["Ltd", "plc", "Group", "Holdings Ltd"],
  },
  de: {
    first: [
      "Nordwind",
      "Rheintal",
      "Alpenblick",
      "Lindenhof",
      "Bergmann",
      "Elbe",
      "Schwarzwald",
      "Isar",
      "Donau",
      "Falkenstein",
      "Hanse",
      "Spreeufer",
    ],
    second: [
      "Logistik",
      "Maschinenbau",
      "Software",
      "Versicherungen",
      "Energie",
      "Medizintechnik",
      "Handel",
      "Bau",
      "Automotive",
      "Systeme",
    ],
    suffix: ["GmbH", "AG", "GmbH & Co. KG", "SE"],
  },
  fr: {
    first: ["Lumière", "Horizon", "Rivage", "Bastide", "Mistral", "Loire", "Cèdre", "Azur", "Montclair", "Vauban"],
    second: ["Conseil", "Logistique", "Santé", "Assurances", "Énergie", "Distribution", "Technologies", "Industries"],
    suffix: ["SA", "SAS", "SARL"],
  },
  nl: {
    first: ["Zeeland", "Polder", "Dijkstra", "Amstel", "Noordzee", "Veluwe", "Brabant", "Oranje"],
    second: ["Logistiek", "Software", "Zorg", "Energie", "Techniek", "Handel", "Verzekeringen"],
    suffix: ["B.V.", "N.V."],
  },
  es: {
    first: ["Solaris", "Costa", "Mirador", "Alameda", "Sierra", "Puerto", "Olivar", "Tajo", "Horizonte"],
    second: ["Logística", "Salud", "Energía", "Seguros", "Tecnología", "Distribución", "Alimentos"],
    suffix: ["S.A.", "S.L.", "S.A. de C.V."],
  },
  pt: {
    first: ["Aurora", "Ipê", "Tropical", "Atlântico", "Serra", "Paraná", "Horizonte"],
    second: ["Logística", "Saúde", "Energia", "Seguros", "Tecnologia", "Varejo"],
    suffix: ["Ltda.", "S.A."],
  },
  it: {
    first: ["Dolomiti", "Laguna", "Vesuvio", "Arno", "Toscana", "Adriatica", "Brenta", "Etna"],
    second: ["Logistica", "Sanità", "Energia", "Assicurazioni", "Tecnologie", "Alimentari", "Meccanica"],
    suffix: ["S.p.A.", "S.r.l."],
  },
  nordic: {
    first: ["Fjäll", "Norrsken", "Skog", "Havsbris", "Granit", "Vinter", "Ljus"],
    second: ["Logistik", "Hälsa", "Energi", "Teknik", "Försäkring", "Data"],
    suffix: ["AB", "Group AB"],
  },
  jp: {
    first: ["Sakura", "Fuji", "Hikari", "Kaze", "Midori", "Asahi", "Yamato", "Hoshi"],
    second: ["Logistics", "Medical", "Energy", "Systems", "Foods", "Electronics", "Trading"],
    suffix: ["K.K.", "Co., Ltd."],
  },
} as const;

/** A company name for a place; `taken` keeps names unique across the portfolio. */
export function companyName(r: Rng, place: Place, taken: Set<string>): string {
  const style = STYLES[place.style];
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${r.pick(style.first)} ${r.pick(style.second)} ${r.pick(style.suffix)}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
  // A large portfolio runs out of combinations: number the branches (the count keeps it unique).
  const name = `${r.pick(style.first)} ${r.pick(style.second)} ${taken.size + 1} ${style.suffix[0]}`;
  taken.add(name);
  return name;
}

export function weightedPlace(r: Rng): Place {
  const total = PLACES.reduce((s, p) => s + p.weight, 0);
  let x = r.next() * total;
  for (const p of PLACES) {
    x -= p.weight;
    if (x < 0) return p;
  }
  return PLACES[0] as Place;
}

const FIRST_NAMES = [
  "Maya",
  "Daniel",
  "Priya",
  "Lukas",
  "Sofia",
  "James",
  "Amara",
  "Chen",
  "Elena",
  "Marcus",
  "Aisha",
  "Tomás",
  "Hannah",
  "Kenji",
  "Olivia",
  "Rafael",
  "Ingrid",
  "Samuel",
  "Fatima",
  "Noah",
  "Chloé",
  "Arjun",
  "Emma",
  "Diego",
  "Zoe",
  "Henrik",
  "Leila",
  "Oscar",
];
const LAST_NAMES = [
  "Patel",
  "Schneider",
  "Okafor",
  "García",
  "Nguyen",
  "Johansson",
  "Rossi",
  "Dubois",
  "Kim",
  "Müller",
  "Silva",
  "Tanaka",
  "O'Brien",
  "Kowalski",
  "Haddad",
  "Andersen",
  "Fernández",
  "Wright",
  "Costa",
  "Lindqvist",
  "Mensah",
  "Ito",
  "Novak",
  "Reyes",
];

export function personName(r: Rng, taken: Set<string>): string {
  for (;;) {
    const name = `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

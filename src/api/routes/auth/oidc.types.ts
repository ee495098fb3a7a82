// Schemas of the single sign-on routes: both answer with redirects.
import { z } from "zod";

export const Redirect = z.undefined().describe("A redirect: the Location header says where the browser goes.");

// GET /users/:id/totp: an account's TOTP status, for the admins.

import { AppError } from "../../../store/index.ts";
import { totpStatus } from "../../auth/totp.ts";
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { TotpStatusResponse, UserTotpParams } from "./totp.types.ts";

export function getUserTotp(app: Api, deps: ApiDeps): void {
  app.get(
    "/users/:id/totp",
    {
      config: { access: "users:read" },
      schema: {
        tags: ["users"],
        operationId: "getUserTotp",
        summary: "An account's TOTP second factor",
        params: UserTotpParams,
        response: { 200: TotpStatusResponse, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await getUser(deps.db, id))) throw new AppError("not_found", `no account "${id}"`, { userId: id });
      return totpStatus(deps.db, id);
    },
  );
}

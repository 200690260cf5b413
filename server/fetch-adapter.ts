import type { Response as ExpressResponse } from "express";

/** A Fetch Response written to Express: for the few hot paths mounted outside Remix. */
export async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.send(Buffer.from(await response.arrayBuffer()));
}

import { describe, expect, it } from "vitest";
import { checkboxTicked } from "./settings";

describe("checkboxTicked", () => {
  it("is on when the field is posted, whatever its value (Polaris's Checkbox posts value=\"\"), off when absent or \"false\"", () => {
    const form = new FormData();
    form.set("polaris", "");
    form.set("browser", "on");
    form.set("explicit", "true");
    form.set("hidden_off", "false");
    expect(["polaris", "browser", "explicit", "hidden_off", "absent"].map((name) => checkboxTicked(form, name))).toEqual([true, true, true, false, false]);
  });
});

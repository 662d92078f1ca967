import { test } from "node:test";
import assert from "node:assert/strict";
import { passfilePassword, passwordFromText } from "../../src/platform/postgres/passfile.js";

const target = { host: "db.example.com", port: "5432", database: "hist", user: "svcmgr" };

test("password file lines: first match wins, * matches anything, \\: and \\\\ are escapes, comments skipped", () => {
  const text = [
    "# comment line",
    "other.example.com:5432:hist:svcmgr:wrong-host",
    "db.example.com:5433:*:svcmgr:wrong-port",
    "db.example.com:*:hist:svcmgr:pa\\:ss\\\\word:tail",
    "*:*:*:*:catch-all",
  ].join("\n");
  assert.equal(passwordFromText(text, target), "pa:ss\\word:tail");
  assert.equal(passwordFromText(text, { ...target, user: "other" }), "catch-all");
  assert.equal(passwordFromText("short:line\n", target), null);
  assert.equal(passwordFromText("", target), null);
});

test("passfile= in a URL without a password: matched on the URL's host, port, database and user, PG* variables filling the rest", () => {
  assert.equal(passfilePassword("postgresql://u:pw@h/db?passfile=/x", {}, "root"), undefined, "a password in the URL wins");
  assert.equal(passfilePassword("postgresql://u@h/db", {}, "root"), undefined, "no passfile: the driver's own lookup");
  assert.equal(typeof passfilePassword("postgresql://u@h/db?passfile=/x", {}, "root"), "function");
  assert.throws(() => passfilePassword("postgresql://h?passfile=/nonexistent/pgpass", { PGUSER: "env-user" }, "root")!(), /password file \/nonexistent\/pgpass cannot be read/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { checkStoreUrl, isPostgresUrl, maskIn, maskPassword, postgresUrlOf } from "../../src/core/store-url.js";

test("maskPassword hides a URL's password, wherever it is written, and leaves the rest", () => {
  assert.equal(maskPassword("postgresql://svcmgr:s3cret@db.example.com:5432/hist"), "postgresql://svcmgr:***@db.example.com:5432/hist");
  assert.equal(maskPassword("postgres://u:p%40ss@h/db?sslmode=require"), "postgres://u:***@h/db?sslmode=require");
  assert.equal(maskPassword("postgresql://u:pa@ss@h/db"), "postgresql://u:***@h/db", "an unencoded @ in the password: all of it masked");
  assert.equal(maskPassword("postgresql://h/db?user=u&password=s3cret&sslmode=verify-full"), "postgresql://h/db?user=u&password=***&sslmode=verify-full");
  assert.equal(maskPassword("postgresql://svcmgr@db/hist"), "postgresql://svcmgr@db/hist", "no password: unchanged");
  assert.equal(maskPassword("sqlite"), "sqlite");
});

test("maskIn masks the URL and its password alone in a driver's message", () => {
  const url = "postgresql://u:hunter22@h:5/db";
  assert.equal(maskIn(`cannot reach ${url}; auth with hunter22 failed`, url), "cannot reach postgresql://u:***@h:5/db; auth with *** failed");
});

test("store settings: sqlite or a PostgreSQL URL with a host", () => {
  assert.equal(checkStoreUrl("sqlite"), null);
  assert.equal(checkStoreUrl("postgresql://u@h/db"), null);
  assert.equal(checkStoreUrl("postgres://h"), null);
  assert.equal(checkStoreUrl("mysql://h/db"), "unknown store");
  assert.equal(checkStoreUrl("postgresql:///db"), "no host");
  assert.equal(checkStoreUrl("postgresql:///db?host=/run/postgresql"), null, "a Unix socket dir as host");
  assert.equal(isPostgresUrl("PostgreSQL://h/db"), true);
  assert.equal(postgresUrlOf("sqlite"), null);
  assert.equal(postgresUrlOf("postgresql://h/db"), "postgresql://h/db");
});

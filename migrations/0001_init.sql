-- 0001_init: the two schemas of sawt.
--   sawt       core data: registry, messages, reports, outbox (operators)
--   analytics  read-only views for analysts (role sawt_analyst)
CREATE SCHEMA sawt;
CREATE SCHEMA analytics;

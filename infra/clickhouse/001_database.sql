-- The database every edgewatch table lives in; its name comes from configuration.
CREATE DATABASE IF NOT EXISTS {{database}}

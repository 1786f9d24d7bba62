-- One database per service (each service owns its data), created at the PostgreSQL container's first start.
CREATE DATABASE registry;
CREATE DATABASE compliance;
CREATE DATABASE training;
CREATE DATABASE notifier;
CREATE DATABASE identity;
CREATE DATABASE portal;

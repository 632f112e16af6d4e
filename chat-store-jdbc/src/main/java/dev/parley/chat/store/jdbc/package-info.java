/**
 * A JDBC {@link dev.parley.chat.store.MessageStore}: {@link dev.parley.chat.store.jdbc.JdbcMessageStore}
 * on H2, PostgreSQL, MariaDB/MySQL or SQLite, with group commit, background retention and schema files
 * for Flyway or Liquibase users (see {@link dev.parley.chat.store.jdbc.JdbcDialect}).
 */
package dev.parley.chat.store.jdbc;

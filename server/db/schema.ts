/** Every table of Linli, gathered for Drizzle (queries and drizzle-kit migrations). */
export * from '../modules/areas/tables';
export * from '../modules/accounts/tables';
export * from '../modules/audit/tables';
export * from '../http/tables';
export * from '../modules/calendar/tables';
export * from '../modules/categories/tables';
export * from '../modules/cases/tables';
export * from '../modules/notifications/tables';
export * from '../modules/open311/tables';
export * from '../modules/housing/tables';
export * from '../modules/people/tables';
export * from '../modules/tags/tables';
export * from '../modules/visits/tables';

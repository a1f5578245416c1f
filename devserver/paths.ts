/** The Web API root this server answers under. */
export const API_PREFIX = "/api/data/v9.2/";

// placeholder replaced by the database bootstrap (foundation work in progress)
export default async function setup() {}

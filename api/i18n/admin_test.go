package i18n_test

// sameInAdminPages are the admin pages' messages (messages/admin/) that
// are rightly the English word in some language ("Online", "Status"...).
var sameInAdminPages = map[string]bool{
	"admin.events.description": true, "admin.events.mode.online": true, "admin.events.status": true,
	"admin.network.no": true, "admin.place.latitude": true, "admin.place.longitude": true, "admin.place.region": true,
	"admin.profile.general": true, "admin.profile.name": true, "admin.profile.orgName": true, "admin.profile.scheme": true,
	"admin.profile.website": true, "admin.reports.note": true, "admin.reports.state.open": true,
}

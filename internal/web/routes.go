package web

import (
	"net/http"

	"asiakassivu/internal/app"
)

// access says who may call a route.
type access int

const (
	open        access = iota // anyone; the session is not even looked up (files, probes)
	public                    // anyone, signed in or not (the page may differ)
	pending                   // any session, also an unverified sign-up's
	firstFactor               // a verified account's session, also before its second factor (setting one up, giving it)
	signedIn                  // a verified account's session; others are sent to sign in or to verify
	thread                    // a home's thread: its customer and the provider's staff; admins as for customer
	customer                  // a customer's page: staff and admins are sent to their own pages (GET) or get 404
	admin                     // a chain admin's session; anyone else gets 404 (the console is not there for them)
)

// route is one entry of the route table. The table registers the ServeMux
// and is ranged over by the tests (headers, isolation), which fail when a
// route has no case.
type route struct {
	method  string
	pattern string
	access  access
	handle  func(w http.ResponseWriter, r *http.Request, v *viewer) error
}

// routes lists every route the server answers.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/{$}", public, s.home},
		{"GET", "/kirjaudu", public, s.signInForm},
		{"POST", "/kirjaudu", public, s.signIn},
		{"GET", "/kirjaudu/extranet", public, s.legacyForm},
		{"POST", "/kirjaudu/extranet", public, s.legacySignIn},
		{"POST", "/kirjaudu/extranet/uusi-tili", public, s.legacySignUp},
		{"POST", "/kirjaudu-ulos", public, s.signOut},
		{"POST", "/avainkoodi/aloita", public, s.beginPasskeySignIn},
		{"POST", "/avainkoodi", public, s.finishPasskeySignIn},
		{"GET", "/kaksivaihe", firstFactor, s.secondFactorForm},
		{"POST", "/kaksivaihe", firstFactor, s.secondFactor},
		{"GET", "/kaksivaihe/kayttoon", firstFactor, s.enrolForm},
		{"POST", "/kaksivaihe/sovellus", firstFactor, s.startTOTP},
		{"POST", "/kaksivaihe/sovellus/vahvista", firstFactor, s.confirmTOTP},
		{"POST", "/profiili/avainkoodit/aloita", firstFactor, s.beginPasskeyRegistration},
		{"POST", "/profiili/avainkoodit", firstFactor, s.finishPasskeyRegistration},
		{"POST", "/profiili/avainkoodit/{passkey}/poista", signedIn, s.removePasskey},
		{"POST", "/profiili/varakoodit", signedIn, s.newRecoveryCodes},
		{"GET", "/luo-tili", public, s.signUpForm},
		{"POST", "/luo-tili", public, s.signUp},
		{"GET", "/vahvista", pending, s.verifyForm},
		{"POST", "/vahvista", pending, s.verify},
		{"POST", "/vahvista/uusi-koodi", pending, s.resendCode},
		{"GET", "/unohtunut-salasana", public, s.forgotForm},
		{"POST", "/unohtunut-salasana", public, s.forgot},
		{"GET", "/unohtunut-salasana/koodi", public, s.resetForm},
		{"POST", "/unohtunut-salasana/koodi", public, s.reset},
		{"POST", "/kieli", public, s.setLanguage},
		{"GET", "/palaute", public, s.portalFeedbackForm},
		{"POST", "/palaute", public, s.givePortalFeedback},
		{"GET", "/profiili", signedIn, s.profilePart(partIndex)},
		{"GET", "/profiili/kirjautuminen", signedIn, s.profilePart(partSecurity)},
		{"GET", "/profiili/laitteet", signedIn, s.profilePart(partDevices)},
		{"GET", "/profiili/ilmoitukset", signedIn, s.profilePart(partNotifications)},
		{"GET", "/profiili/omat-tiedot", signedIn, s.profilePart(partData)},
		{"POST", "/profiili/salasana", signedIn, s.changePassword},
		{"POST", "/profiili/sahkoposti", signedIn, s.requestEmailChange},
		{"GET", "/profiili/sahkoposti", signedIn, s.emailChangeForm},
		{"POST", "/profiili/sahkoposti/vahvista", signedIn, s.confirmEmailChange},
		{"POST", "/profiili/laitteet/{session}/kirjaudu-ulos", signedIn, s.signOutDevice},
		{"POST", "/profiili/laitteet/kirjaudu-ulos-muualta", signedIn, s.signOutOthers},
		{"POST", "/profiili/poista", signedIn, s.deleteAccount},
		{"POST", "/profiili/ilmoitukset", signedIn, s.saveNotificationKinds},
		{"POST", "/profiili/ilmoitukset/laitteet", signedIn, s.subscribePush},
		{"POST", "/profiili/ilmoitukset/laitteet/{subscription}/poista", signedIn, s.unsubscribePush},
		{"GET", "/profiili/omat-tiedot.json", customer, s.exportData},
		{"GET", "/profiili/kalenteri", signedIn, s.calendarInfo},
		{"POST", "/profiili/kalenteri", signedIn, s.newCalendarFeed},
		{"POST", "/profiili/kalenteri/poista", signedIn, s.revokeCalendarFeed},
		{"POST", "/profiili/kalenteri/osoite", signedIn, s.setCalendarAddress},
		{"GET", "/kalenteri/{token}", open, s.calendarFeed},
		{"GET", "/kohteet", customer, s.sites},
		{"GET", "/kohteet/{site}", customer, s.site},
		{"POST", "/kohteet/{site}/ohjeet", customer, s.setAccess},
		{"GET", "/kohteet/{site}/palveluvuorot", customer, s.visits},
		{"GET", "/kohteet/{site}/palveluvuorot/{visit}", customer, s.visit},
		{"GET", "/kohteet/{site}/palveluvuorot/{visit}/kalenteri.ics", customer, s.visitCalendar},
		{"POST", "/kohteet/{site}/palveluvuorot/{visit}/lisatieto", customer, s.visitNote},
		{"POST", "/kohteet/{site}/palveluvuorot/{visit}/peru", customer, s.cancelVisit},
		{"POST", "/kohteet/{site}/palveluvuorot/{visit}/arvio", customer, s.rateVisit},
		{"POST", "/kohteet/{site}/palveluvuorot/{visit}/siirto", customer, s.requestMove},
		{"GET", "/kohteet/{site}/viestit", thread, s.messages},
		{"POST", "/kohteet/{site}/viestit", thread, s.postMessage},
		{"GET", "/kohteet/{site}/viestit/tapahtumat", thread, s.messageEvents},
		{"GET", "/kohteet/{site}/paasy", customer, s.siteGrants},
		{"POST", "/kohteet/{site}/paasy", customer, s.inviteToSite},
		{"POST", "/kohteet/{site}/paasy/{grant}/poista", customer, s.revokeGrant},
		{"POST", "/kohteet/{site}/poistu", customer, s.leaveSite},
		{"GET", "/kutsu/{token}", public, s.invite},
		{"POST", "/kutsu/{token}", signedIn, s.acceptInvite},
		{"GET", "/kohteet/{site}/palaute", customer, s.feedback},
		{"POST", "/kohteet/{site}/palaute", customer, s.giveFeedback},
		{"GET", "/kohteet/{site}/laskut", customer, s.billing},
		{"GET", "/kohteet/{site}/laskut/{invoice}", customer, s.invoice},
		{"GET", "/kohteet/{site}/laskut/{invoice}/pdf", customer, s.invoicePDF},
		{"GET", "/kohteet/{site}/vuosikooste", customer, s.siteStatement},
		{"GET", "/vuosikooste", customer, s.statement},
		{"GET", "/vuosikooste/pdf", customer, s.statementPDF},
		{"GET", "/kotitalousvahennys", customer, s.consent},
		{"POST", "/kotitalousvahennys", customer, s.setConsent},
		{"GET", "/tuottaja", signedIn, s.providerHome},
		{"GET", "/tuottaja/palveluvuorot/{visit}", signedIn, s.providerVisit},
		{"POST", "/tuottaja/palveluvuorot/{visit}/siirra", signedIn, s.rescheduleVisit},
		{"POST", "/tuottaja/palveluvuorot/{visit}/peru", signedIn, s.providerCancelVisit},
		{"POST", "/tuottaja/palveluvuorot/{visit}/tehty", signedIn, s.markVisitDone},
		{"POST", "/tuottaja/palveluvuorot/{visit}/siirtopyynto", signedIn, s.answerMove},
		{"GET", "/tuottaja/viestit", signedIn, s.providerMessages},
		{"GET", "/tuottaja/palaute", signedIn, s.providerFeedback},
		{"POST", "/tuottaja/palaute/{feedback}/vastaa", signedIn, s.replyFeedback},
		// The chain admin's console (console.go).
		{"GET", "/yllapito", admin, s.consoleHome},
		{"GET", "/yllapito/tuottajat", admin, s.consoleProviders},
		{"POST", "/yllapito/tuottajat", admin, s.consoleCreateProvider},
		{"GET", "/yllapito/tuottajat/{provider}", admin, s.consoleProvider},
		{"POST", "/yllapito/tuottajat/{provider}", admin, s.consoleUpdateProvider},
		{"POST", "/yllapito/tuottajat/{provider}/tila", admin, s.consoleProviderActive},
		{"POST", "/yllapito/tuottajat/{provider}/henkilosto", admin, s.consoleInviteStaff},
		{"POST", "/yllapito/tuottajat/{provider}/henkilosto/{staff}/tila", admin, s.consoleStaffActive},
		{"POST", "/yllapito/tuottajat/{provider}/henkilosto/{staff}/kaksivaihe", admin, s.consoleResetSecondFactor},
		{"GET", "/yllapito/ehdot", admin, s.consolePolicies},
		{"POST", "/yllapito/ehdot", admin, s.consoleSavePolicies},
		{"GET", "/yllapito/vahennyssaannot", admin, s.consoleRules},
		{"POST", "/yllapito/vahennyssaannot", admin, s.consoleSaveRule},
		{"GET", "/yllapito/palaute", admin, s.consoleFeedback},
		{"GET", "/yllapito/tapahtumaloki", admin, s.consoleAudit},
		{"GET", "/static/{file}", open, s.static},
		{"GET", "/healthz", open, s.health},
		{"GET", "/readyz", open, s.ready},
		{"GET", "/metrics", open, s.metricsPage},
		{"GET", "/manifest.webmanifest", open, s.manifestFile},
		{"GET", "/sw.js", open, s.serviceWorkerFile},
		{"GET", "/offline", public, s.offline},
		{"GET", "/asenna", public, s.install},
		{"GET", app.ContactPath, public, s.contact},
		{"GET", "/dev/posti", public, s.devMail},
		// The ERP sync API: a handler of its own (Config.API), which also
		// answers the methods it does not take (405, in JSON).
		{"GET", apiPrefix, open, s.api},
		{"PUT", apiPrefix, open, s.api},
		{"DELETE", apiPrefix, open, s.api},
		{"POST", apiPrefix, open, s.api},
		{"PATCH", apiPrefix, open, s.api},
	}
}

package store

import (
	"slices"
	"strings"
)

// governmentLevels is the controlled vocabulary of an OSPO's level of government.
var governmentLevels = []string{
	"international", "eu", "national", "national-agency", "regional",
	"municipal", "university", "research", "association", "other",
}

// supportAreas are the eight areas OSOR lists for public-sector OSPOs.
var supportAreas = []string{
	"strategy", "adoption", "development-release", "licensing",
	"key-applications", "adoption-analysis", "ecosystem-relations", "training",
}

// eventStatuses are the statuses an event can have (FEP-8a8e eventStatus).
var eventStatuses = []string{"scheduled", "cancelled", "postponed", "moved-online"}

// eventCategories are the FEP-8a8e / Mobilizon event categories.
var eventCategories = []string{
	"ARTS", "AUTO_BOAT_AIR", "BOOK_CLUBS", "BUSINESS", "CAUSES", "COMEDY",
	"COMMUNITY", "CRAFTS", "FAMILY_EDUCATION", "FASHION_BEAUTY", "FILM_MEDIA",
	"FOOD_DRINK", "GAMES", "HEALTH", "LANGUAGE_CULTURE", "LEARNING", "LGBTQ",
	"MEETING", "MOVEMENTS_POLITICS", "MUSIC", "NETWORKING", "OUTDOORS_ADVENTURE",
	"PARTY", "PERFORMING_VISUAL_ARTS", "PETS", "PHOTOGRAPHY", "SCIENCE_TECH",
	"SPIRITUALITY_RELIGION_BELIEFS", "SPORTS", "THEATRE", "WORKSHOPS_SKILL_SHARING",
}

// The vocabularies are read through functions that return copies: a caller
// that sorts or appends to one cannot change what validation accepts.

// GovernmentLevels returns the controlled vocabulary of an OSPO's level of government.
func GovernmentLevels() []string { return slices.Clone(governmentLevels) }

// SupportAreas returns the eight areas OSOR lists for public-sector OSPOs.
func SupportAreas() []string { return slices.Clone(supportAreas) }

// EventStatuses returns the statuses an event can have (FEP-8a8e eventStatus).
func EventStatuses() []string { return slices.Clone(eventStatuses) }

// EventCategories returns the FEP-8a8e / Mobilizon event categories.
func EventCategories() []string { return slices.Clone(eventCategories) }

// iso3166 holds the ISO 3166-1 alpha-2 codes, plus EU and INT as OSPOmeta allows.
var iso3166 = func() map[string]bool {
	const codes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY
MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK EU INT`
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// ValidCountry reports whether c is an ISO 3166-1 alpha-2 code (upper case), EU or INT.
func ValidCountry(c string) bool { return iso3166[c] }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

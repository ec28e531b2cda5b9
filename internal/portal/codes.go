package portal

// WorkTypes lists the household-deduction work types the portal knows:
// the seeded rules' and the demo's. The ERP may send others (a code of
// lower-case letters and underscores); the admin console offers these and
// those that already have rules.
var WorkTypes = []string{DefaultWorkType, "care", "renovation", "oil_heating"}

// AccessFields names the parts of a site's access instructions as the
// changes journal, the ERP feed and the audit log name them, in the order
// of AccessInstructions.Values.
var AccessFields = []string{"keys", "door_code", "pets", "parking", "other"}

// Values returns the parts of the access instructions in the order of
// AccessFields.
func (a AccessInstructions) Values() []string {
	return []string{a.Keys, a.DoorCode, a.Pets, a.Parking, a.Other}
}

package store

import "fmt"

// keyRobotFP in bucket meta is the fingerprint of the robot key the last
// run signed with, so that a run with another key knows it was rotated.
var keyRobotFP = []byte("robot-key")

// RobotFP returns the stored robot key fingerprint, "" if none yet.
func (tx *Tx) RobotFP() string { return string(tx.btx.Bucket(bucketMeta).Get(keyRobotFP)) }

// SetRobotFP stores the robot key fingerprint.
func (tx *Tx) SetRobotFP(fp string) error {
	if err := tx.btx.Bucket(bucketMeta).Put(keyRobotFP, []byte(fp)); err != nil {
		return fmt.Errorf("put robot key: %w", err)
	}
	return nil
}

// Key expiry warnings given, in bucket meta: "key-warned/KEY/DAYS",
// where KEY names a key and its expiry (a key extended is warned again).
func keyWarnedKey(key string, days int) []byte {
	return fmt.Appendf(nil, "key-warned/%s/%d", key, days)
}

// KeyWarned says whether the maintainers were warned that key expires
// within days.
func (tx *Tx) KeyWarned(key string, days int) bool {
	return tx.btx.Bucket(bucketMeta).Get(keyWarnedKey(key, days)) != nil
}

// SetKeyWarned records that warning.
func (tx *Tx) SetKeyWarned(key string, days int) error {
	if err := tx.btx.Bucket(bucketMeta).Put(keyWarnedKey(key, days), []byte{1}); err != nil {
		return fmt.Errorf("put key warning %s/%d: %w", key, days, err)
	}
	return nil
}

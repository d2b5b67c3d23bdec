package kernel

import "sort"

// AliasSet is POE's alias_set: it gives the active session the alias name.
// Setting an alias the session already owns succeeds; one owned by another
// session fails with EEXIST. Each alias adds one to the session's
// reference count.
func (k *Kernel) AliasSet(name string) error {
	k.loopOnly("AliasSet")
	s := k.GetActiveSession()
	if s.kernelSelf {
		return kerr("alias_set", name, esrch)
	}
	if owner := k.aliases[name]; owner != nil {
		if owner == s {
			return nil
		}
		return kerr("alias_set", name, eexist)
	}
	k.mu.Lock()
	k.aliases[name] = s
	k.mu.Unlock()
	s.aliasList = append(s.aliasList, name)
	return nil
}

// AliasRemove is POE's alias_remove: ESRCH when the alias is unknown,
// EPERM when another session owns it.
func (k *Kernel) AliasRemove(name string) error {
	k.loopOnly("AliasRemove")
	s := k.GetActiveSession()
	owner := k.aliases[name]
	if owner == nil {
		return kerr("alias_remove", name, esrch)
	}
	if owner != s {
		return kerr("alias_remove", name, eperm)
	}
	k.mu.Lock()
	delete(k.aliases, name)
	k.mu.Unlock()
	k.aliasMemo = aliasMemo{}
	for i, a := range s.aliasList {
		if a == name {
			s.aliasList = append(s.aliasList[:i], s.aliasList[i+1:]...)
			break
		}
	}
	k.markGC(s)
	return nil
}

// AliasResolve is POE's alias_resolve: a session from a *Session, an ID,
// an alias or the kernel's ID; nil when nothing matches.
func (k *Kernel) AliasResolve(x any) *Session {
	k.loopOnly("AliasResolve")
	return k.resolve(x)
}

// AliasResolveName is AliasResolve for a name held as a string (an alias,
// the kernel's ID or name, or a session ID in decimal): it saves boxing
// the string into an interface value, which allocates, on hot paths that
// resolve names taken from messages.
func (k *Kernel) AliasResolveName(name string) *Session {
	k.loopOnly("AliasResolveName")
	return k.lookupName(name)
}

// AliasList is POE's alias_list: the aliases of s (the active session when
// s is nil), sorted.
func (k *Kernel) AliasList(s *Session) []string {
	k.loopOnly("AliasList")
	if s == nil {
		s = k.GetActiveSession()
	}
	out := append([]string(nil), s.aliasList...)
	sort.Strings(out)
	return out
}

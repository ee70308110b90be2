# mk/deps.mk: placeholder until filled

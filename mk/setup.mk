# mk/setup.mk: placeholder until filled
